//! The client's address, for sign-in limits. Behind a reverse proxy every
//! request comes from the proxy, so its `X-Forwarded-For` is believed — but
//! only when the peer is one of the operator's trusted proxies
//! (`AFTERCARE_TRUSTED_PROXIES`): anyone else could write any address there.

use std::net::IpAddr;

/// Addresses and networks (`10.0.0.0/8`, `::1`) whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// A comma-separated list; an entry that is not an address or network is refused by name.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let entry = |s: &str| -> Option<(IpAddr, u8)> {
            let (ip, bits) = s.split_once('/').unwrap_or((s, ""));
            let ip: IpAddr = ip.parse().ok()?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = if bits.is_empty() { max } else { bits.parse().ok().filter(|b| *b <= max)? };
            Some((ip.to_canonical(), bits))
        };
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                entry(s).ok_or(format!(
                    "AFTERCARE_TRUSTED_PROXIES: '{s}' is not an address or network like 10.0.0.0/8"
                ))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|&(net, bits)| match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        })
    }
}

/// The client of a request from `peer` with these `X-Forwarded-For` values:
/// the peer itself, unless it is a trusted proxy; then the nearest address
/// in the header that is not one (proxies append, so entries further left
/// were written by the client and may be forged).
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    proxies: &TrustedProxies,
) -> IpAddr {
    if !proxies.contains(peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).map(str::trim).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = ip.to_canonical();
        if !proxies.contains(client) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, ::1").unwrap();
        let header = ["203.0.113.9, 198.51.100.7"];
        assert_eq!(client_address(ip("10.1.2.3"), header.into_iter(), &proxies), ip("198.51.100.7"));
        assert_eq!(client_address(ip("192.0.2.1"), header.into_iter(), &proxies), ip("192.0.2.1"));
        assert_eq!(
            client_address(ip("::1"), ["10.0.0.2, 198.51.100.7, 10.9.9.9"].into_iter(), &proxies),
            ip("198.51.100.7")
        );
        assert_eq!(client_address(ip("10.1.2.3"), ["nonsense"].into_iter(), &proxies), ip("10.1.2.3"));
        assert_eq!(
            client_address(ip("10.1.2.3"), std::iter::empty(), &TrustedProxies::default()),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn bad_entries_are_refused_by_name() {
        assert!(TrustedProxies::parse("10.0.0.0/33").unwrap_err().contains("10.0.0.0/33"));
        assert!(TrustedProxies::parse("proxy.local").is_err());
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
        assert!(TrustedProxies::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
    }
}
