using System.Net;
using VoiceAgent.Calendars;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Platform.Tests.Http;

/// <summary>The SSRF guard: which addresses are refused, redirects, returned hrefs and capped bodies.</summary>
public sealed class NetworkGuardTests
{
    [Theory]
    // refused: IPv4
    [InlineData("0.0.0.0", "this network")]
    [InlineData("0.1.2.3", "this network")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("100.64.0.1", "CGNAT")]
    [InlineData("100.127.255.254", "CGNAT")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.53.0.1", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.0.0.8", "IETF protocol assignments")]
    [InlineData("192.0.2.10", "documentation")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("198.51.100.7", "documentation")]
    [InlineData("203.0.113.7", "documentation")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "reserved")]
    // refused: IPv6
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped")]
    [InlineData("::ffff:8.8.8.8", "IPv4-mapped")]
    [InlineData("::10.0.0.1", "IPv4-compatible")]
    [InlineData("64:ff9b::a00:1", "NAT64")]
    [InlineData("64:ff9b::808:808", "NAT64")]
    [InlineData("64:ff9b:1::1", "NAT64 (local)")]
    [InlineData("2002:a00:1::1", "6to4 → private")]
    [InlineData("2002:7f00:1::1", "6to4 → loopback")]
    [InlineData("2002:a9fe:a9fe::1", "6to4 → link-local")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fd12:3456:789a::1", "unique local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fe80::1%2", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("ff05::1:3", "multicast")]
    [InlineData("100::1", "discard")]
    [InlineData("4000::1", "not global unicast")]
    // allowed: public
    [InlineData("8.8.8.8", null)]
    [InlineData("1.1.1.1", null)]
    [InlineData("93.184.215.14", null)]
    [InlineData("100.63.255.255", null)]
    [InlineData("100.128.0.1", null)]
    [InlineData("172.15.255.255", null)]
    [InlineData("172.32.0.1", null)]
    [InlineData("192.0.1.1", null)]
    [InlineData("198.17.255.255", null)]
    [InlineData("198.20.0.1", null)]
    [InlineData("223.255.255.254", null)]
    [InlineData("2a00:1450:4001:82b::200e", null)]
    [InlineData("2606:4700:4700::1111", null)]
    [InlineData("2002:808:808::1", null)]
    [InlineData("2003:e1:bf00::1", null)]
    public void Addresses_are_refused_by_range_or_allowed_when_public(string address, string? range)
    {
        Assert.Equal(range, NetworkGuard.RefusedBecause(IPAddress.Parse(address)));
        Assert.Equal(range is not null, NetworkGuard.IsRefused(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("https://calendar.example.com/dav/", true, null)]
    [InlineData("https://93.184.215.14/dav/", true, null)]
    [InlineData("http://calendar.example.com/dav/", true, "https required")]
    [InlineData("http://calendar.example.com/dav/", false, null)]
    [InlineData("https://10.0.0.5/dav/", true, "address private")]
    [InlineData("https://[::ffff:10.0.0.5]/", true, "address IPv4-mapped")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/latest/meta-data", true, "address NAT64")]
    [InlineData("https://localhost/dav/", true, "address loopback")]
    [InlineData("https://user:pw@calendar.example.com/", true, "user info in URL")]
    [InlineData("ftp://calendar.example.com/", false, "not an http(s) URL")]
    public void Urls_are_checked_for_scheme_user_info_and_address_literals(string url, bool requireHttps, string? reason) =>
        Assert.Equal(reason, NetworkGuard.CheckUrl(new Uri(url), requireHttps));

    [Fact]
    public async Task A_redirect_to_a_public_https_host_is_followed_with_credentials_only_on_the_same_origin()
    {
        var inner = new Scripted(
            Redirect(HttpStatusCode.Found, "https://hooks.example.com/moved"),
            Redirect(HttpStatusCode.TemporaryRedirect, "https://other.example.net/final"),
            new HttpResponseMessage(HttpStatusCode.OK));
        using var client = Client(inner);
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://hooks.example.com/start") { Content = new StringContent("x") };
        request.Headers.Authorization = new("Basic", "c2VjcmV0");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["https://hooks.example.com/start", "https://hooks.example.com/moved", "https://other.example.net/final"],
            inner.Seen.Select(s => s.Url));
        Assert.Equal([true, true, false], inner.Seen.Select(s => s.Authorized));
        Assert.Equal(["PUT", "PUT", "PUT"], inner.Seen.Select(s => s.Method));
    }

    [Theory]
    [InlineData("https://10.0.0.5/internal", "private")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("https://[::1]/", "loopback")]
    [InlineData("https://[64:ff9b::7f00:1]/", "NAT64")]
    [InlineData("http://hooks.example.com/plain", "https to http")]
    [InlineData("/relative/but/http", null)]
    public async Task A_redirect_from_a_public_host_to_a_private_address_or_to_http_is_refused(string location, string? reason)
    {
        var inner = new Scripted(Redirect(HttpStatusCode.MovedPermanently, location), new HttpResponseMessage(HttpStatusCode.OK));
        using var client = Client(inner);

        if (reason is null)
        {
            // A relative redirect stays on the same https origin: followed.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("https://hooks.example.com/a")).StatusCode);
            return;
        }

        var error = await Assert.ThrowsAsync<RefusedAddressException>(() => client.GetAsync("https://hooks.example.com/a"));
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Single(inner.Seen);
    }

    [Fact]
    public async Task More_than_three_redirects_are_refused()
    {
        var inner = new Scripted(Enumerable.Range(1, 5).Select(i => Redirect(HttpStatusCode.Found, $"https://hooks.example.com/{i}")).ToArray());
        using var client = Client(inner);

        var error = await Assert.ThrowsAsync<RefusedAddressException>(() => client.GetAsync("https://hooks.example.com/0"));

        Assert.Contains("More than 3 redirects", error.Message);
        Assert.Equal(4, inner.Seen.Count);
    }

    [Fact]
    public async Task A_303_continues_as_get_without_a_body()
    {
        var inner = new Scripted(Redirect(HttpStatusCode.SeeOther, "https://hooks.example.com/result"), new HttpResponseMessage(HttpStatusCode.OK));
        using var client = Client(inner);

        await client.PostAsync("https://hooks.example.com/submit", new StringContent("{}"));

        Assert.Equal(["POST", "GET"], inner.Seen.Select(s => s.Method));
    }

    [Fact]
    public async Task Bodies_are_read_up_to_the_cap_counting_bytes_not_trusting_content_length()
    {
        var small = new StreamContent(new MemoryStream(new byte[LimitedBody.JsonBytes]));
        Assert.Equal(LimitedBody.JsonBytes, (await LimitedBody.ReadBytesAsync(small, LimitedBody.JsonBytes, default)).Length);

        // No Content-Length at all: the count while streaming stops it.
        var chunked = new StreamContent(new UnseekableStream(LimitedBody.JsonBytes + 1));
        chunked.Headers.ContentLength = null;
        await Assert.ThrowsAsync<ResponseTooLargeException>(() => LimitedBody.ReadBytesAsync(chunked, LimitedBody.JsonBytes, default));

        // A declared length above the cap is refused before reading.
        var declared = new StreamContent(new UnseekableStream(10));
        declared.Headers.ContentLength = LimitedBody.CalendarBytes + 1L;
        await Assert.ThrowsAsync<ResponseTooLargeException>(() => LimitedBody.ReadBytesAsync(declared, LimitedBody.CalendarBytes, default));
    }

    [Fact]
    public async Task The_limit_handler_refuses_an_oversized_calendar_answer()
    {
        var inner = new Scripted(new HttpResponseMessage(HttpStatusCode.MultiStatus) { Content = new StreamContent(new UnseekableStream(LimitedBody.CalendarBytes + 1)) });
        using var client = new HttpClient(new ResponseLimitHandler(LimitedBody.CalendarBytes) { InnerHandler = inner });

        var error = await Assert.ThrowsAsync<ResponseTooLargeException>(() => client.GetAsync("https://dav.example.com/"));

        Assert.Equal(CalendarRefusal.TooLarge, CalendarHttp.Refused(error)!.Refusal);
    }

    [Theory]
    [InlineData("/dav/calendars/anna/", true)]
    [InlineData("https://dav.example.com:8443/dav/anna/", true)]
    [InlineData("https://p42-caldav.example.net/123/calendars/", true)]
    [InlineData("http://p42-caldav.example.net/123/calendars/", false)]
    [InlineData("https://10.0.0.7/calendars/", false)]
    [InlineData("https://[fd00::7]/calendars/", false)]
    [InlineData("https://localhost/calendars/", false)]
    [InlineData("http://127.0.0.1:5232/other/", false)]
    public void Hrefs_a_caldav_server_returns_are_same_origin_or_public_https(string href, bool allowed)
    {
        var from = new Uri("https://dav.example.com:8443/dav/");
        if (allowed)
        {
            Assert.NotNull(CalDavClient.Checked(from, href));
        }
        else
        {
            Assert.Equal(CalendarRefusal.Address, Assert.Throws<CalendarProviderException>(() => CalDavClient.Checked(from, href)).Refusal);
        }
    }

    private static HttpClient Client(HttpMessageHandler inner) =>
        new(new GuardedRedirectHandler(requireHttps: true) { InnerHandler = inner });

    private static HttpResponseMessage Redirect(HttpStatusCode status, string location)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.Location = new Uri(location, UriKind.RelativeOrAbsolute);
        return response;
    }

    /// <summary>Answers requests with the given responses in order and records what was asked.</summary>
    private sealed class Scripted(params HttpResponseMessage[] responses) : HttpMessageHandler
    {
        private int next;

        public List<(string Url, string Method, bool Authorized)> Seen { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add((request.RequestUri!.ToString(), request.Method.Method, request.Headers.Authorization is not null));
            return Task.FromResult(responses[next++]);
        }
    }

    /// <summary>A body of <c>length</c> bytes that streams without announcing its length.</summary>
    private sealed class UnseekableStream(long length) : Stream
    {
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - position);
            Array.Fill(buffer, (byte)'x', offset, n);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
