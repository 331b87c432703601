using System.Net;
using System.Net.Sockets;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// The one SSRF guard for every outgoing call to a tenant-chosen server (webhooks, CalDAV): which addresses are never
/// contacted. Checked when the socket connects (after DNS, <see cref="CreateHandler"/>), on every redirect
/// (<see cref="GuardedRedirectHandler"/>) and on every URL a server hands back (<see cref="CheckUrl"/>). Refused: every
/// non-public IPv4 range (this network, private, loopback, CGNAT, link-local, IETF protocol assignments, documentation,
/// benchmarking, multicast, reserved, broadcast) and every IPv6 address that is not global unicast or that tunnels to IPv4
/// (IPv4-mapped/-compatible, NAT64, Teredo; 6to4 only when its embedded IPv4 address is refused).
/// </summary>
public static class NetworkGuard
{
    private static readonly (IPNetwork Network, string Name)[] V4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "this network"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "CGNAT"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments"),
        (IPNetwork.Parse("192.0.2.0/24"), "documentation"),
        (IPNetwork.Parse("192.88.99.0/24"), "6to4 relay"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"), // includes 255.255.255.255 (broadcast)
    ];

    private static readonly (IPNetwork Network, string Name)[] V6 =
    [
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("::/96"), "IPv4-compatible"),
        (IPNetwork.Parse("64:ff9b::/96"), "NAT64"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "NAT64 (local)"),
        (IPNetwork.Parse("100::/64"), "discard"),
        (IPNetwork.Parse("2001::/32"), "Teredo"),
        (IPNetwork.Parse("2001:10::/28"), "ORCHID"),
        (IPNetwork.Parse("2001:20::/28"), "ORCHIDv2"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation"),
        (IPNetwork.Parse("3fff::/20"), "documentation"),
        (IPNetwork.Parse("fc00::/7"), "unique local"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork GlobalUnicast = IPNetwork.Parse("2000::/3");

    /// <summary>Whether <paramref name="address"/> must never be contacted.</summary>
    public static bool IsRefused(IPAddress address) => RefusedBecause(address) is not null;

    /// <summary>The name of the range that refuses <paramref name="address"/> ("private", "NAT64", …), or null when it is public.</summary>
    public static string? RefusedBecause(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            foreach (var (network, name) in V4)
            {
                if (network.Contains(address))
                {
                    return name;
                }
            }

            return null;
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "not IP";
        }

        if (address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return "IPv4-mapped"; // whatever it embeds: a dual-stack socket would connect to the IPv4 address
        }

        foreach (var (network, name) in V6)
        {
            if (network.Contains(address))
            {
                return name;
            }
        }

        if (SixToFour.Contains(address))
        {
            var b = address.GetAddressBytes();
            var embedded = new IPAddress(b.AsSpan(2, 4));
            return RefusedBecause(embedded) is { } inner ? "6to4 → " + inner : null;
        }

        return GlobalUnicast.Contains(address) ? null : "not global unicast";
    }

    /// <summary>
    /// Checks a URL before it is requested (a redirect target, an href a server returned): absolute http(s), no user info,
    /// https when <paramref name="requireHttps"/>, and a host that is not a refused IP literal. Names are checked again after
    /// DNS when the socket connects.
    /// </summary>
    /// <returns>Why the URL is refused, or null when it may be requested.</returns>
    public static string? CheckUrl(Uri url, bool requireHttps)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return "not an http(s) URL";
        }

        if (requireHttps && url.Scheme != Uri.UriSchemeHttps)
        {
            return "https required";
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            return "user info in URL";
        }

        if (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            && IPAddress.TryParse(url.DnsSafeHost, out var literal) && RefusedBecause(literal) is { } reason)
        {
            return $"address {reason}";
        }

        if (url.DnsSafeHost.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || url.DnsSafeHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "address loopback";
        }

        return null;
    }

    /// <summary>The guard's refusal behind <paramref name="ex"/> (thrown by a redirect check, or by the connect callback and
    /// wrapped by the socket handler), or null when the request failed for another reason.</summary>
    public static RefusedAddressException? Refusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is RefusedAddressException refused)
            {
                return refused;
            }
        }

        return null;
    }

    /// <summary>
    /// A handler that connects only to addresses this guard allows (checked after DNS, the first allowed address is used)
    /// and follows no redirects itself (put a <see cref="GuardedRedirectHandler"/> in front to follow them checked).
    /// </summary>
    public static SocketsHttpHandler CreateHandler(TimeSpan? connectTimeout = null) => new()
    {
        AllowAutoRedirect = false,
        ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(3),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var address = addresses.FirstOrDefault(a => !IsRefused(a))
                          ?? throw new RefusedAddressException($"Host {host} resolves only to addresses that are not public.");
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

/// <summary>A request was not sent because its target (after DNS, a redirect or a returned href) is not a public address.</summary>
public sealed class RefusedAddressException(string message) : HttpRequestException(message);
