//! `dwa token`: create API tokens (one, a sample person's, or one per employee for load tests).

use crate::Common;
use anyhow::bail;
use clap::Subcommand;
use dwa_api::Role;
use dwa_policy::PROVINCE;
use dwa_store::Store;

#[derive(Subcommand, Debug)]
pub(crate) enum TokenCommand {
    /// Create a token and print it alone on stdout (it is stored only as its sha256).
    Create {
        #[command(flatten)]
        common: Common,
        /// What the token may do.
        #[arg(long, value_enum)]
        role: Role,
        /// The region it is scoped to (BPS code; the province is 32).
        #[arg(long)]
        region: String,
        /// The person, for employee and supervisor tokens.
        #[arg(long, conflicts_with = "sample")]
        nip: Option<String>,
        /// For demos: pick the person — an employee of the region with a live application, or
        /// that employee's supervisor (the NIP is printed on stderr).
        #[arg(long)]
        sample: bool,
        /// Provision employee tokens for the first N employees of the region (by NIP) in one
        /// go, printed as `NIP<TAB>token` lines (used by scripts/load.sh).
        #[arg(long, value_name = "N", conflicts_with_all = ["nip", "sample"])]
        each_employee: Option<usize>,
        /// Print a one-time sign-in link for the web pages instead of an API token (valid for
        /// 24 hours, used once; only its sha256 is stored).
        #[arg(long, conflicts_with = "each_employee")]
        link: bool,
        /// The web address the link points at.
        #[arg(
            long,
            env = "DWA_WEB_URL",
            default_value = "http://127.0.0.1:8080",
            requires = "link"
        )]
        base_url: String,
    },
}

/// Run `dwa token`.
pub(crate) async fn run(command: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create {
        common,
        role,
        region,
        mut nip,
        sample,
        each_employee,
        link,
        base_url,
    } = command;
    let store = Store::connect(&common.database).await?;
    if let Some(count) = each_employee {
        if role != Role::Employee {
            bail!("--each-employee: provisions employee tokens; use --role employee");
        }
        let nips = store.region_nips(&region, count).await?;
        if nips.is_empty() {
            bail!("--region: no employees in region `{region}` (seed or import them first)");
        }
        let tokens: Vec<_> = nips
            .into_iter()
            .map(|nip| {
                let grant = dwa_store::TokenGrant {
                    role: role.code().into(),
                    region: region.clone(),
                    nip: Some(nip),
                };
                (dwa_api::new_token(), grant)
            })
            .collect();
        store.insert_tokens(&tokens).await?;
        let mut out = String::with_capacity(tokens.len() * 80);
        for (token, grant) in &tokens {
            out.push_str(&format!("{}\t{token}\n", grant.nip.as_deref().unwrap_or_default()));
        }
        print!("{out}");
        return Ok(());
    }
    if sample {
        let Some((employee, supervisor)) = store.sample_applicant(&region).await? else {
            bail!("--sample: region {region} has no employee with a live application and a supervisor");
        };
        let person = if role == Role::Supervisor { supervisor } else { employee };
        eprintln!("{} token for NIP {person}", role.code());
        nip = Some(person);
    }
    if !store.region_exists(&region).await? {
        bail!("--region: unknown region `{region}` (add it with `dwa region add {region} --name …`)");
    }
    if role == Role::ProvincialAdmin && region != PROVINCE {
        bail!("--region: a provincial-admin token belongs to the province ({PROVINCE})");
    }
    match (&nip, role.needs_nip()) {
        (None, true) => bail!("--nip: a {} token names a person", role.code()),
        (Some(_), false) => bail!("--nip: a {} token is not for one person", role.code()),
        (Some(nip), true) => {
            if let Err(e) = dwa_sdk::nip::parse_nip(nip) {
                bail!("--nip: {e}");
            }
            let employee = store.employee(nip).await?;
            if employee.region != region {
                bail!("--nip: {nip} works in region {}, not {region}", employee.region);
            }
        }
        (None, false) => {}
    }
    let grant = dwa_store::TokenGrant {
        role: role.code().into(),
        region,
        nip,
    };
    if link {
        let code = dwa_api::web::issue_code(&store, &grant).await?;
        println!("{}", dwa_api::web::signin_link(&base_url, &code));
        return Ok(());
    }
    let token = dwa_api::new_token();
    store.insert_token(&token, &grant).await?;
    println!("{token}");
    Ok(())
}
