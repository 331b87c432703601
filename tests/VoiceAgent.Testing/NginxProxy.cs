using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace VoiceAgent.Testing;

/// <summary>
/// The production edge proxy for tests: Debian's nginx with ModSecurity v3 and the OWASP CRS, started by
/// <c>deploy/proxy/start.sh</c> (the same templates and rule files <c>deploy/local/run.sh --proxy</c> uses, nothing
/// copied) as a private instance in a <c>voiceagent-nginx-*</c> temp folder, TLS with a self-signed certificate on a free
/// port of 127.0.0.1, in front of one or more app ports. Stopped and removed on dispose.
/// </summary>
public sealed class NginxProxy : IAsyncDisposable
{
    public const string ModulePath = "/usr/lib/nginx/modules/ngx_http_modsecurity_module.so";
    public const string CrsRules = "/usr/share/modsecurity-crs/rules";

    private readonly Process process;

    private NginxProxy(Process process, string directory, int port)
    {
        this.process = process;
        Directory = directory;
        Port = port;
        // A host name, as in production: CRS scores a numeric Host header (rule 920350) on every request.
        BaseUrl = new Uri($"https://localhost:{port}/");
    }

    /// <summary>nginx, the ModSecurity module and the CRS are installed (deploy/local/test.sh installs them).</summary>
    public static bool IsInstalled =>
        File.Exists("/usr/sbin/nginx") && File.Exists(ModulePath) && System.IO.Directory.Exists(CrsRules) && StartScript() is not null;

    /// <summary>https://localhost:port/ (self-signed certificate; nginx listens on 127.0.0.1).</summary>
    public Uri BaseUrl { get; }

    public int Port { get; }

    /// <summary>The run folder: nginx.conf, modsecurity.conf, tls/, logs/.</summary>
    public string Directory { get; }

    /// <summary>The SHA-1 thumbprint of the proxy's (self-signed) certificate.</summary>
    public string CertificateThumbprint =>
        System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Directory, "tls", "proxy.crt")).Thumbprint;

    public string AuditLogPath => Path.Combine(Directory, "logs", "modsec_audit.log");

    /// <summary>Starts the proxy on <paramref name="port"/> (a free one if null) in front of the given app addresses (host:port).</summary>
    public static async Task<NginxProxy> StartAsync(IReadOnlyList<string> upstreams, int? port = null)
    {
        var script = StartScript() ?? throw new InvalidOperationException("deploy/proxy/start.sh not found above " + AppContext.BaseDirectory);
        if (!File.Exists(ModulePath))
        {
            throw new InvalidOperationException(
                "nginx with ModSecurity is not installed: apt-get install nginx libnginx-mod-http-modsecurity modsecurity-crs (deploy/local/test.sh does it).");
        }

        var directory = FixtureDirectory.Create("nginx");
        var listen = port ?? LoopbackProcess.FreePort();
        var info = new ProcessStartInfo("/bin/bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add("--dir");
        info.ArgumentList.Add(directory);
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(listen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var upstream in upstreams)
        {
            info.ArgumentList.Add("--upstream");
            info.ArgumentList.Add(upstream);
        }

        var process = Process.Start(info)!;
        // start.sh execs nginx (same process id): TERM is nginx's fast shutdown, its worker goes with it.
        FixtureDirectory.SetCleanup(directory,
            $"grep -q {FixtureDirectory.Quote(directory)} /proc/{process.Id}/cmdline 2>/dev/null && kill -TERM {process.Id}; " +
            $"for i in 1 2 3 4 5 6 7 8 9 10; do [ -d /proc/{process.Id} ] || break; sleep 0.2; done; exit 0");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var proxy = new NginxProxy(process, directory, listen);
        try
        {
            await proxy.WaitUntilListeningAsync(() =>
            {
                lock (errors)
                {
                    return errors.ToString();
                }
            });
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }

        return proxy;
    }

    /// <summary>An HTTP client for the proxy: accepts its self-signed certificate, keeps cookies, follows no redirects and
    /// sends User-Agent and Accept as real clients and providers do (CRS notes missing ones at paranoia level 2).</summary>
    public HttpClient Client()
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            AllowAutoRedirect = false,
            UseCookies = true,
        };
        var client = new HttpClient(handler) { BaseAddress = BaseUrl };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("VoiceAgent-Tests/1.0");
        client.DefaultRequestHeaders.Accept.ParseAdd("*/*");
        return client;
    }

    /// <summary>
    /// Sends bytes exactly as given (no client library normalises or refuses them) over one TLS connection and reads
    /// until nginx closes it; returns the status (0 when the answer has no status line, e.g. to HTTP/0.9) and the
    /// response head.
    /// </summary>
    public async Task<(int Status, string Head)> SendRawAsync(byte[] request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Port);
        await using var tls = new System.Net.Security.SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        await tls.WriteAsync(request);
        await tls.FlushAsync();
        using var response = new MemoryStream();
        await tls.CopyToAsync(response);
        var text = System.Text.Encoding.Latin1.GetString(response.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end < 0 ? "" : text[..end];
        var status = head.StartsWith("HTTP/", StringComparison.Ordinal) && head.Split(' ') is [_, var code, ..]
                     && int.TryParse(code, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        return (status, head);
    }

    /// <summary>The ModSecurity audit log: one JSON object per refused request.</summary>
    public IReadOnlyList<string> AuditLogLines()
    {
        if (!File.Exists(AuditLogPath))
        {
            return [];
        }

        using var stream = new FileStream(AuditLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The audit entry of one request, by its id (the proxy's X-Request-Id header = ModSecurity's unique_id).</summary>
    public JsonElement? AuditEntry(string requestId)
    {
        foreach (var line in AuditLogLines())
        {
            if (!line.Contains(requestId, StringComparison.Ordinal))
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            var transaction = json.RootElement.GetProperty("transaction");
            if (transaction.GetProperty("unique_id").GetString() == requestId)
            {
                return transaction.Clone();
            }
        }

        return null;
    }

    /// <summary>The rule ids that matched in an audit entry (e.g. 942100, 949110).</summary>
    public static IReadOnlyList<string> RuleIds(JsonElement entry) =>
        entry.TryGetProperty("messages", out var messages)
            ? messages.EnumerateArray().Select(m => m.GetProperty("details").GetProperty("ruleId").GetString() ?? "").ToList()
            : [];

    /// <summary>The requests ModSecurity refused so far, one line each: method, URI, rule ids with their message and the
    /// variable they matched (for a failing test's report; matched values are cut short).</summary>
    public IReadOnlyList<string> Refusals()
    {
        var refusals = new List<string>();
        foreach (var line in AuditLogLines())
        {
            using var json = JsonDocument.Parse(line);
            var transaction = json.RootElement.GetProperty("transaction");
            if (!transaction.TryGetProperty("messages", out var messages) || messages.GetArrayLength() == 0)
            {
                continue;
            }

            var request = transaction.GetProperty("request");
            var rules = messages.EnumerateArray().Select(m =>
            {
                var details = m.GetProperty("details");
                var data = details.GetProperty("data").GetString() ?? "";
                return $"{details.GetProperty("ruleId").GetString()} {m.GetProperty("message").GetString()} [{(data.Length > 120 ? data[..120] + "…" : data)}]";
            });
            refusals.Add($"{request.GetProperty("method").GetString()} {request.GetProperty("uri").GetString()} " +
                         $"({transaction.GetProperty("response").GetProperty("http_code")}, id {transaction.GetProperty("unique_id").GetString()}): " +
                         string.Join("; ", rules));
        }

        return refusals;
    }

    public string ErrorLog()
    {
        var path = Path.Combine(Directory, "logs", "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    private async Task WaitUntilListeningAsync(Func<string> errors)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited at start ({process.ExitCode}): {errors()}");
            }

            // start.sh's configuration check (nginx -t) binds the port for a moment too: only once our nginx has written
            // its pid file (after opening its sockets) is a connection to the port a connection to it.
            var pidFile = Path.Combine(Directory, "nginx.pid");
            var started = File.Exists(pidFile) && (await File.ReadAllTextAsync(pidFile)).Trim() == process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            try
            {
                if (started)
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, Port);
                    return;
                }
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"nginx did not start within 60 s: {errors()}");
            }

            await Task.Delay(100);
        }
    }

    private static string? StartScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "deploy", "proxy", "start.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }

        return null;
    }

    public ValueTask DisposeAsync() => FixtureDirectory.StopAsync(process, Directory);
}
