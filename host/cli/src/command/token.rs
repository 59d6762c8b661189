//! `dwa token`: create API tokens (one, a sample person's, or one per employee for load tests),
//! each with an expiry (90 days unless `--expires-in` says otherwise); list them (never the
//! token, only its id); revoke one by its id.

use crate::Common;
use anyhow::bail;
use clap::{Args, Subcommand};
use dwa_api::Role;
use dwa_policy::PROVINCE;
use dwa_store::{Store, TokenFilter, unix_now, unix_rfc3339};

#[derive(Subcommand, Debug)]
pub(crate) enum TokenCommand {
    /// Create a token and print it alone on stdout (it is stored only as its sha256; its id
    /// and expiry are printed on stderr).
    Create(CreateArgs),
    /// List tokens, oldest first: id, role, region, NIP, created, expires, revoked, state (never
    /// the token or its hash).
    List {
        #[command(flatten)]
        common: Common,
        /// Only this region's tokens.
        #[arg(long)]
        region: Option<String>,
        /// Only this role's tokens.
        #[arg(long, value_enum)]
        role: Option<Role>,
    },
    /// Revoke a token by its id (from `dwa token list`): refused at once by every server on
    /// PostgreSQL (announced); on SQLite a running server refuses it within about a second.
    Revoke {
        #[command(flatten)]
        common: Common,
        /// The token's id.
        id: String,
    },
}

// The arguments of `dwa token create`.
#[derive(Args, Debug)]
pub(crate) struct CreateArgs {
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
    /// How long the token lives: `<N>d`, `<N>h`, `<N>m` or `<N>s` (default 90 days; at
    /// most 3650 days). Not for sign-in links, which last 24 hours.
    #[arg(long, value_name = "DURATION", conflicts_with = "link")]
    expires_in: Option<String>,
    /// What the token is for (shown by `dwa token list`).
    #[arg(long, conflicts_with = "link")]
    label: Option<String>,
}

/// Run `dwa token`.
pub(crate) async fn run(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create(args) => create(args).await,
        TokenCommand::List { common, region, role } => list(&common, region, role).await,
        TokenCommand::Revoke { common, id } => revoke(&common, &id).await,
    }
}

/// `dwa token create`.
async fn create(args: CreateArgs) -> anyhow::Result<()> {
    let CreateArgs {
        common,
        role,
        region,
        mut nip,
        sample,
        each_employee,
        link,
        base_url,
        expires_in,
        label,
    } = args;
    let lifetime = expires_in
        .as_deref()
        .map(|text| dwa_workflow::tokens::parse_lifetime("--expires-in", text))
        .transpose()?;
    let terms = dwa_workflow::tokens::terms(lifetime, label, Some("cli".into()));
    let store = Store::connect(common.database()).await?;
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
        store.insert_tokens(&tokens, &terms).await?;
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
    let id = store.insert_token_with(&token, &grant, &terms).await?;
    eprintln!("token {id}, expires {}", unix_rfc3339(terms.expires_at));
    println!("{token}");
    Ok(())
}

/// `dwa token list`: one line per token, aligned.
async fn list(common: &Common, region: Option<String>, role: Option<Role>) -> anyhow::Result<()> {
    let store = Store::connect(common.database()).await?;
    let filter = TokenFilter {
        region,
        role: role.map(|r| r.code().to_owned()),
        ..TokenFilter::default()
    };
    let tokens = dwa_workflow::tokens::list_tokens(&store, &filter).await?;
    let now = unix_now();
    let mut out = format!(
        "{:<16}  {:<16}  {:<6}  {:<18}  {:<27}  {:<20}  {:<20}  {}\n",
        "ID", "ROLE", "REGION", "NIP", "CREATED", "EXPIRES", "REVOKED", "STATE"
    );
    for t in &tokens {
        out.push_str(&format!(
            "{:<16}  {:<16}  {:<6}  {:<18}  {:<27}  {:<20}  {:<20}  {}\n",
            t.id,
            t.grant.role,
            t.grant.region,
            t.grant.nip.as_deref().unwrap_or("-"),
            t.created_at,
            unix_rfc3339(t.expires_at),
            t.revoked_at.map_or_else(|| "-".to_owned(), unix_rfc3339),
            t.state(now).code()
        ));
    }
    print!("{out}");
    Ok(())
}

/// `dwa token revoke ID`.
async fn revoke(common: &Common, id: &str) -> anyhow::Result<()> {
    let store = Store::connect(common.database()).await?;
    // This process serves nothing: its cache is empty; servers learn of it by notification
    // (PostgreSQL) or by polling the revocation mark (SQLite).
    let cache = dwa_workflow::tokens::TokenCache::default();
    let token = dwa_workflow::tokens::revoke_token(&store, &cache, id, "cli").await?;
    println!(
        "revoked token {} ({} of region {}{})",
        token.id,
        token.grant.role,
        token.grant.region,
        token.grant.nip.map(|nip| format!(", NIP {nip}")).unwrap_or_default()
    );
    Ok(())
}
