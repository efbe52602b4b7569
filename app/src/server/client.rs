//! Who is on the other end: the client address (rate limits, audit trail) and user agent.

use casia_services::config::{TrustedProxies, canonical};
use std::net::IpAddr;

use super::request_parts;

/// The request's `User-Agent`, for the sessions list (never trusted for anything else).
pub fn user_agent() -> String {
    request_parts()
        .ok()
        .and_then(|p| {
            p.headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// The client address of the current request (rate limits, audit trail).
pub fn client_address() -> String {
    request_parts()
        .map(|p| client_address_of(&p.headers, &p.extensions))
        .unwrap_or_else(|_| "unknown".into())
}

/// The client address of a request: the one place that decides it, for server functions and
/// plain routes alike. The TCP peer, unless it is one of `http.trusted_proxies` (the router
/// puts them in the request's extensions); then the proxies' `X-Forwarded-For` says who it is.
pub fn client_address_of(headers: &http::HeaderMap, extensions: &http::Extensions) -> String {
    let Some(peer) = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return "unknown".into();
    };
    let none = TrustedProxies::default();
    client_ip(
        peer,
        headers,
        extensions.get::<TrustedProxies>().unwrap_or(&none),
    )
    .to_string()
}

/// The right-most `X-Forwarded-For` hop that is not one of our proxies: every hop to its right
/// was appended by a proxy we run; anything to its left the client may have written itself.
pub fn client_ip(peer: IpAddr, headers: &http::HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let mut client = canonical(peer);
    if !trusted.contains(client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.into_iter().rev() {
        // A hop that is not an address: stop at the last proxy we know.
        let Some(ip) = parse_hop(hop) else {
            return client;
        };
        client = ip;
        if !trusted.contains(ip) {
            return ip;
        }
    }
    client
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let ip = hop
        .parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))?;
    Some(canonical(ip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn forwarded(values: &[&str]) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let spoofed = forwarded(&["1.2.3.4"]);
        assert_eq!(
            client_ip(ip("203.0.113.9"), &spoofed, &proxies),
            ip("203.0.113.9")
        );
        // Nobody trusted at all (the default): the header means nothing.
        assert_eq!(
            client_ip(ip("10.0.0.1"), &spoofed, &TrustedProxies::default()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn behind_a_proxy_the_right_most_hop_it_did_not_add_is_the_client() {
        let proxies = TrustedProxies::parse("10.0.0.1, 10.0.1.0/24").unwrap();
        // The client wrote "6.6.6.6" itself; our proxy appended what it saw.
        let h = forwarded(&["6.6.6.6, 198.51.100.7"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("198.51.100.7"));
        // Two of our proxies in a chain, in two headers.
        let h = forwarded(&["6.6.6.6, 198.51.100.7", "10.0.1.5"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("198.51.100.7"));
        // Ports are not part of the address.
        let h = forwarded(&["198.51.100.7:51000"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("198.51.100.7"));
        // A proxy that forwarded nothing: the proxy is all we know.
        assert_eq!(
            client_ip(ip("10.0.0.1"), &http::HeaderMap::new(), &proxies),
            ip("10.0.0.1")
        );
        // Garbage in the chain stops at the last proxy we trust.
        let h = forwarded(&["198.51.100.7, unknown, 10.0.1.5"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("10.0.1.5"));
        // Every hop is ours: the left-most is the client (an internal caller).
        let h = forwarded(&["10.0.1.9, 10.0.1.5"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("10.0.1.9"));
    }

    #[test]
    fn ipv6_peers_and_hops() {
        let proxies = TrustedProxies::parse("fd00::/8, 127.0.0.1").unwrap();
        let h = forwarded(&["2001:db8::bad, [2001:db8::1]:443"]);
        assert_eq!(client_ip(ip("fd00::2"), &h, &proxies), ip("2001:db8::1"));
        let h = forwarded(&["2001:db8::7"]);
        assert_eq!(
            client_ip(ip("fd12:3456::1"), &h, &proxies),
            ip("2001:db8::7")
        );
        // An IPv4 proxy seen through a dual-stack socket is still that proxy.
        let h = forwarded(&["198.51.100.7"]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &h, &proxies),
            ip("198.51.100.7")
        );
        // An untrusted IPv6 peer keeps its own address, mapped or not.
        assert_eq!(
            client_ip(ip("2001:db8::66"), &h, &proxies),
            ip("2001:db8::66")
        );
        assert_eq!(
            client_ip(ip("::ffff:203.0.113.9"), &h, &proxies),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_router_s_extensions_decide_the_address() {
        let mut ext = http::Extensions::new();
        let h = forwarded(&["198.51.100.7"]);
        assert_eq!(client_address_of(&h, &ext), "unknown");
        ext.insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            4000,
        ))));
        assert_eq!(client_address_of(&h, &ext), "127.0.0.1");
        ext.insert(TrustedProxies::parse("127.0.0.1").unwrap());
        assert_eq!(client_address_of(&h, &ext), "198.51.100.7");
    }
}
