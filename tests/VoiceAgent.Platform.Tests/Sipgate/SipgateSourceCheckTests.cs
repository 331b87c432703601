using System.ComponentModel.DataAnnotations;
using System.Net;
using VoiceAgent.Telephony.Sipgate;

namespace VoiceAgent.Platform.Tests.Sipgate;

public sealed class SipgateSourceCheckTests
{
    private static readonly SipgateSourceCheck BehindProxy =
        new SipgatePushOptions { TrustedProxies = ["10.0.0.0/8", "fd00::1"] }.CreateSourceCheck();

    [Theory]
    [InlineData("217.116.118.254")]
    [InlineData("212.9.46.32")]
    [InlineData("::ffff:217.116.118.254")]
    public void Sipgate_addresses_connecting_directly_are_allowed(string peer)
    {
        Assert.True(SipgateSourceCheck.Default.IsAllowed(IPAddress.Parse(peer), null));
    }

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("217.116.118.253")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Other_direct_peers_are_refused(string peer)
    {
        Assert.False(SipgateSourceCheck.Default.IsAllowed(IPAddress.Parse(peer), null));
    }

    [Fact]
    public void No_remote_address_is_refused()
    {
        Assert.False(SipgateSourceCheck.Default.IsAllowed(null, "217.116.118.254"));
    }

    [Fact]
    public void Forwarded_for_from_an_untrusted_peer_is_ignored_so_a_forger_cannot_claim_sipgates_address()
    {
        Assert.False(SipgateSourceCheck.Default.IsAllowed(IPAddress.Parse("203.0.113.7"), "217.116.118.254"));
        Assert.False(BehindProxy.IsAllowed(IPAddress.Parse("203.0.113.7"), "217.116.118.254"));
    }

    [Fact]
    public void Behind_a_trusted_proxy_the_right_most_forwarded_address_counts()
    {
        Assert.True(BehindProxy.IsAllowed(IPAddress.Parse("10.1.2.3"), "217.116.118.254"));
        Assert.True(BehindProxy.IsAllowed(IPAddress.Parse("::ffff:10.1.2.3"), " 212.9.46.32 "));
    }

    [Fact]
    public void Sipgates_address_prepended_by_the_client_does_not_pass_the_proxy()
    {
        // The forger sends "X-Forwarded-For: 217.116.118.254"; our proxy appends the address it really saw.
        Assert.False(BehindProxy.IsAllowed(IPAddress.Parse("10.1.2.3"), "217.116.118.254, 203.0.113.7"));
    }

    [Fact]
    public void A_chain_of_trusted_proxies_is_walked_from_the_right()
    {
        Assert.True(BehindProxy.IsAllowed(IPAddress.Parse("10.0.0.2"), "203.0.113.7, 212.9.46.32, 10.0.0.1"));
        Assert.Equal(IPAddress.Parse("212.9.46.32"), BehindProxy.ResolveSource(IPAddress.Parse("fd00::1"), "212.9.46.32,10.0.0.1"));
    }

    [Theory]
    [InlineData("217.116.118.254:43210")]
    [InlineData("[::ffff:217.116.118.254]:443")]
    public void Forwarded_entries_with_a_port_are_understood(string forwardedFor)
    {
        Assert.True(BehindProxy.IsAllowed(IPAddress.Parse("10.1.2.3"), forwardedFor));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("10.0.0.9")]
    [InlineData("unknown")]
    [InlineData("217.116.118.254, garbage")]
    public void Trusted_proxy_without_a_usable_sender_is_refused(string? forwardedFor)
    {
        Assert.False(BehindProxy.IsAllowed(IPAddress.Parse("10.1.2.3"), forwardedFor));
    }

    [Fact]
    public void Configured_addresses_replace_the_defaults()
    {
        var check = new SipgatePushOptions { AllowedSourceAddresses = ["198.51.100.10"] }.CreateSourceCheck();

        Assert.True(check.IsAllowed(IPAddress.Parse("198.51.100.10"), null));
        Assert.False(check.IsAllowed(IPAddress.Parse("217.116.118.254"), null));
    }

    [Fact]
    public void Options_validation_reports_bad_addresses_and_proxies()
    {
        var options = new SipgatePushOptions { AllowedSourceAddresses = ["push-api.sipgate.net"], TrustedProxies = ["10.0.0.0/33"] };

        var members = options.Validate(new ValidationContext(options)).SelectMany(p => p.MemberNames).ToList();

        Assert.Contains(nameof(SipgatePushOptions.AllowedSourceAddresses), members);
        Assert.Contains(nameof(SipgatePushOptions.TrustedProxies), members);
    }
}
