using System.Net;

namespace VoiceAgent.Telephony.Sipgate;

/// <summary>
/// The source-address allow-list for pushes (API-CONTRACTS.md §2.3 (a)).
/// <para>
/// The source is the connection's remote address. Only when that peer is one of our configured trusted proxies is
/// X-Forwarded-For consulted, read from the right: each trusted proxy appends the address it received the request
/// from, so the right-most entry that is not itself a trusted proxy is the real sender. Entries further left were
/// written by the sender and prove nothing. The Node SDK trusts X-Forwarded-For from anyone; doing so here would let
/// any forger pass by sending "X-Forwarded-For: 217.116.118.254".
/// </para>
/// If ASP.NET's ForwardedHeaders middleware already rewrote the remote address, pass that address and no header.
/// </summary>
public sealed class SipgateSourceCheck
{
    public const string ForwardedForHeaderName = "X-Forwarded-For";

    private readonly HashSet<IPAddress> allowedSources;
    private readonly IReadOnlyList<IPNetwork> trustedProxies;

    public SipgateSourceCheck(IEnumerable<IPAddress> allowedSources, IEnumerable<IPNetwork> trustedProxies)
    {
        this.allowedSources = allowedSources.Select(Normalize).ToHashSet();
        this.trustedProxies = trustedProxies.ToArray();
    }

    /// <summary>push-api.sipgate.net, as of May 2023 (SDK commit 8110512).</summary>
    public static IReadOnlyList<IPAddress> DefaultAllowedSources { get; } =
        [IPAddress.Parse("217.116.118.254"), IPAddress.Parse("212.9.46.32")];

    /// <summary>sipgate's addresses, no proxy: for a host that terminates TLS itself.</summary>
    public static SipgateSourceCheck Default { get; } = new(DefaultAllowedSources, []);

    public bool IsAllowed(IPAddress? remoteAddress, string? forwardedFor) =>
        ResolveSource(remoteAddress, forwardedFor) is { } source && allowedSources.Contains(source);

    /// <summary>The address the push came from as far as we can trust it, or null when it cannot be told.</summary>
    public IPAddress? ResolveSource(IPAddress? remoteAddress, string? forwardedFor)
    {
        if (remoteAddress is null)
        {
            return null;
        }

        var source = Normalize(remoteAddress);
        var hops = (forwardedFor ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = hops.Length - 1; i >= 0 && IsTrustedProxy(source); i--)
        {
            if (!TryParseHop(hops[i], out var hop))
            {
                return null;
            }

            source = hop;
        }

        // Still a proxy: it either sent no header or the chain holds only proxies; the sender is unknown.
        return IsTrustedProxy(source) ? null : source;
    }

    private bool IsTrustedProxy(IPAddress address) => trustedProxies.Any(network => network.Contains(address));

    // Some proxies append a port ("1.2.3.4:5060", "[2001:db8::1]:443"); IPEndPoint parsing accepts both forms.
    private static bool TryParseHop(string hop, out IPAddress address)
    {
        if (IPEndPoint.TryParse(hop, out var endPoint))
        {
            address = Normalize(endPoint.Address);
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
