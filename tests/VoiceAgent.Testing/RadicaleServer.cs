using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace VoiceAgent.Testing;

/// <summary>
/// A real CalDAV server for tests: Debian's Radicale on a free port of 127.0.0.1 with a temporary storage folder and
/// htpasswd users (plain), started per test class and stopped with it. <see cref="CreateCalendarAsync"/> makes a calendar
/// collection with MKCALENDAR, as a CalDAV client would.
/// </summary>
public sealed class RadicaleServer : IAsyncDisposable
{
    public const string User = "praxis";
    public const string Password = "Kalender-Passwort-7";

    private readonly Process process;
    private readonly string directory;

    private RadicaleServer(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseUrl { get; }

    /// <summary>The user's principal collection (what a tenant may paste instead of a calendar URL).</summary>
    public Uri PrincipalUrl => new(BaseUrl, User + "/");

    public static async Task<RadicaleServer> StartAsync()
    {
        if (!File.Exists("/usr/bin/radicale"))
        {
            throw new InvalidOperationException("Radicale is not installed: apt-get install radicale (deploy/local/test.sh does it).");
        }

        var directory = FixtureDirectory.Create("radicale");
        var port = LoopbackProcess.FreePort();
        await File.WriteAllTextAsync(Path.Combine(directory, "users"), $"{User}:{Password}\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "config"), $"""
            [server]
            hosts = 127.0.0.1:{port}
            [auth]
            type = htpasswd
            htpasswd_filename = {directory}/users
            htpasswd_encryption = plain
            delay = 0
            [rights]
            type = owner_only
            [storage]
            filesystem_folder = {directory}/collections
            [web]
            type = none
            [logging]
            level = warning
            """);
        var info = new ProcessStartInfo("/usr/bin/radicale") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(Path.Combine(directory, "config"));
        var process = Process.Start(info)!;
        // Run by the fixture's watchdog or the next test run if this process ends without disposing the server.
        FixtureDirectory.SetCleanup(directory,
            $"grep -q {FixtureDirectory.Quote(directory)} /proc/{process.Id}/cmdline 2>/dev/null && kill -9 {process.Id}; exit 0");
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new RadicaleServer(process, directory, port);
        try
        {
            await LoopbackProcess.WaitUntilListeningAsync(process, port, "Radicale");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Creates a calendar collection under the user's principal; returns its URL (ending with a slash).</summary>
    public async Task<Uri> CreateCalendarAsync(string name, string displayName)
    {
        var url = new Uri(PrincipalUrl, name + "/");
        using var http = Client();
        using var request = new HttpRequestMessage(new HttpMethod("MKCALENDAR"), url)
        {
            Content = new StringContent($"""
                <?xml version="1.0" encoding="utf-8"?>
                <C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
                  <D:set><D:prop><D:displayname>{displayName}</D:displayname>
                  <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set>
                </C:mkcalendar>
                """, Encoding.UTF8, "application/xml"),
        };
        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"MKCALENDAR {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return url;
    }

    /// <summary>Stores an iCalendar resource directly (an appointment entered with another CalDAV client).</summary>
    public async Task PutAsync(Uri calendar, string name, string ics)
    {
        using var http = Client();
        using var response = await http.PutAsync(new Uri(calendar, name), new StringContent(ics, Encoding.UTF8, "text/calendar"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The .ics resources in a calendar folder on disk (Radicale keeps one file per event).</summary>
    public IReadOnlyList<string> StoredEvents(Uri calendar)
    {
        var folder = Path.Combine(directory, "collections", "collection-root", User, calendar.Segments[^1].TrimEnd('/'));
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*.ics").Select(File.ReadAllText).ToList() : [];
    }

    public HttpClient Client()
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        return http;
    }

    public ValueTask DisposeAsync() => FixtureDirectory.StopAsync(process, directory);
}
