//! The pages' query strings. The router parses them (a `#[derive(Params)]` struct per page
//! and `use_query`); [`with_query`] writes them, percent-encoded the same way everywhere.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What a query value keeps as it is: RFC 3986's unreserved characters and `/`, so a `next`
/// path stays readable (`/acceso?next=/casia`). Everything else is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// `Exportar CSV` of each list (`api_csv`): the list's page parameters, another path.
pub const CASES_CSV: &str = "/api/casos.csv";
pub const QUEUE_CSV: &str = "/api/tramitacion/bandeja.csv";
pub const SEARCH_CSV: &str = "/api/tramitacion/buscar.csv";

/// The same query string on another path (`/casia/casos?…` → `/api/casos.csv?…`).
pub fn on_path(path: &str, url: &str) -> String {
    match url.split_once('?') {
        Some((_, query)) => format!("{path}?{query}"),
        None => path.to_owned(),
    }
}

/// Percent-encodes one query value.
pub fn urlencode(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// `path?name=value&…`, the pairs in their order. Absent and empty values are left out (an
/// empty filter filters nothing), and so is the `?` when no value is left.
pub fn with_query<'a>(
    path: &str,
    pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> String {
    let query: Vec<String> = pairs
        .into_iter()
        .filter_map(|(name, value)| {
            value
                .filter(|v| !v.is_empty())
                .map(|v| format!("{name}={}", urlencode(v)))
        })
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// A parameter given empty (`?tipo=`) is one not given.
pub fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_unreserved_characters_and_slashes() {
        assert_eq!(urlencode("/casia/casos"), "/casia/casos");
        assert_eq!(
            urlencode("/casia/casos?estado=abierto&desde=2026-11-01"),
            "/casia/casos%3Festado%3Dabierto%26desde%3D2026-11-01"
        );
        assert_eq!(urlencode("a b+c~d_e.f"), "a%20b%2Bc~d_e.f");
        assert_eq!(urlencode("ñ"), "%C3%B1");
    }

    #[test]
    fn empty_and_absent_values_are_left_out() {
        assert_eq!(
            with_query(
                "/acceso",
                [
                    ("next", Some("/casia")),
                    ("caducada", None),
                    ("x", Some(""))
                ]
            ),
            "/acceso?next=/casia"
        );
        assert_eq!(
            with_query(
                "/tramitacion",
                [("bandeja", Some("mios")), ("orden", Some("newest"))]
            ),
            "/tramitacion?bandeja=mios&orden=newest"
        );
        assert_eq!(with_query("/casia/casos", [("tipo", None)]), "/casia/casos");
    }
}
