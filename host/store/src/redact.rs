//! Database URLs as messages may show them: a `postgres://user:secret@host/db` URL carries the
//! password, and a start-up line, a log or an error must never print it. Every place that names
//! the database to a person goes through [`redacted_url`].

/// `url` with its password (in the user-info part, and any `password=` query parameter)
/// replaced by `***`. Text that is not a URL with a password comes back unchanged.
pub fn redacted_url(url: &str) -> String {
    let mut shown = match url.split_once("://") {
        Some((scheme, rest)) => {
            // The authority ends at the first `/`, `?` or `#`; its user info before the last `@`.
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(end);
            match authority.rsplit_once('@') {
                Some((user_info, host)) => {
                    let user = user_info.split_once(':').map_or(user_info, |(user, _)| user);
                    let hidden = if user_info.contains(':') { ":***" } else { "" };
                    format!("{scheme}://{user}{hidden}@{host}{tail}")
                }
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    };
    if let Some(query_start) = shown.find('?') {
        let (base, query) = shown.split_at(query_start + 1);
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        shown = format!("{base}{}", query.join("&"));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::redacted_url;

    #[test]
    fn passwords_never_show() {
        let cases = [
            (
                "postgres://postgres:S3cretPw@db:5432/dwa",
                "postgres://postgres:***@db:5432/dwa",
            ),
            (
                "postgres://u:p%40ss@h/d?sslmode=require",
                "postgres://u:***@h/d?sslmode=require",
            ),
            ("postgres://u:a@b@h/d", "postgres://u:***@h/d"),
            (
                "postgres://u@h/d?password=S3cret&sslmode=verify-full",
                "postgres://u@h/d?password=***&sslmode=verify-full",
            ),
            ("postgres://h/d", "postgres://h/d"),
            ("sqlite://data/dwa.db", "sqlite://data/dwa.db"),
        ];
        for (url, expected) in cases {
            assert_eq!(redacted_url(url), expected, "{url}");
            assert!(!redacted_url(url).contains("S3cret"));
        }
    }
}
