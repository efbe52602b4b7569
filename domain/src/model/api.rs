//! The integration API's vocabularies: what a token may do, and how a webhook delivery stands.

coded_enum!(
    /// What an API token may do (`Authorization: Bearer`). A token holds one or more.
    ApiScope {
        /// Read the authorisation's cases, their history and receipts; taxonomy and types.
        CasesRead => "cases:read",
        /// Upload files, open cases, add information, ask for cancellation, rate.
        CasesWrite => "cases:write",
        /// Read the inbox (`Buzón`) and mark notices read.
        NoticesRead => "notices:read",
        /// Manage the authorisation's webhooks and read their delivery log.
        Webhooks => "webhooks",
    }
);

impl ApiScope {
    /// `cases:read,cases:write` → the scopes, each once; an unknown code is named.
    pub fn parse_list(text: &str) -> Result<Vec<ApiScope>, super::UnknownCode> {
        let mut scopes = Vec::new();
        for code in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let scope: ApiScope = code.parse()?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        Ok(scopes)
    }

    /// The stored form: codes joined by commas.
    pub fn join(scopes: &[ApiScope]) -> String {
        scopes
            .iter()
            .map(|s| s.code())
            .collect::<Vec<_>>()
            .join(",")
    }
}

coded_enum!(
    /// Where a webhook delivery stands.
    DeliveryStatus {
        /// Waiting for its first try or for its next retry.
        Pending => "pending",
        /// The receiver answered 2xx.
        Delivered => "delivered",
        /// Every try failed (`api.webhooks.max_attempts`): kept in the log, not retried.
        Failed => "failed",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_lists_parse_once_each_and_name_an_unknown_scope() {
        assert_eq!(
            ApiScope::parse_list("cases:read, cases:write,cases:read"),
            Ok(vec![ApiScope::CasesRead, ApiScope::CasesWrite])
        );
        assert_eq!(ApiScope::parse_list("").unwrap(), vec![]);
        let e = ApiScope::parse_list("cases:read,admin").unwrap_err();
        assert_eq!(e.code, "admin");
        assert_eq!(
            ApiScope::join(&[ApiScope::NoticesRead, ApiScope::Webhooks]),
            "notices:read,webhooks"
        );
    }
}
