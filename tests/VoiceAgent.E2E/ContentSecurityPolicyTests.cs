using Microsoft.Playwright;

namespace VoiceAgent.E2E;

/// <summary>
/// The portal under its own Content-Security-Policy (issue #16): the shell, MudBlazor pages, the designer with a flow,
/// the setup wizard and the jobs dashboard run without a single violation (PortalTest turns each
/// <c>securitypolicyviolation</c> into a console error, which fails the test), and only the designer document may ask
/// for the microphone.
/// </summary>
public sealed class ContentSecurityPolicyTests : DesignerTest
{
    private static async Task<IResponse> GotoAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path) ?? throw new InvalidOperationException($"no response for {path}");
        var csp = await response.HeaderValueAsync("content-security-policy") ?? "";
        Assert.Contains("script-src 'self' 'nonce-", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        return response;
    }

    private static Task<bool> MicrophoneAllowedAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.featurePolicy ? document.featurePolicy.allowsFeature('microphone') : true");

    [Fact]
    public async Task Portal_pages_designer_and_setup_run_without_a_csp_violation_and_only_the_designer_may_record()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();

        foreach (var path in new[] { "/app", "/app/calls", "/app/numbers", "/app/connectors", "/app/calendar", "/app/billing", "/app/flows" })
        {
            await GotoAsync(page, path);
            await Expect(page.Locator("#main")).ToBeVisibleAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            AssertNoBrowserProblems();
        }

        Assert.False(await MicrophoneAllowedAsync(page));

        // From the flow list into the designer: a full page load, so the designer's Permissions-Policy applies.
        await page.Locator($"tr[data-flow-id='{SampleFlowId}']").GetByTestId("flow-edit").ClickAsync();
        await page.WaitForURLAsync($"**/app/flows/{SampleFlowId}/designer");
        await Expect(Canvas(page)).ToHaveAttributeAsync("data-ready", new System.Text.RegularExpressions.Regex(@"^\d+$"));
        Assert.True(await MicrophoneAllowedAsync(page));
        AssertNoBrowserProblems();

        await GotoAsync(page, "/app/setup");
        await Expect(page.Locator("#main")).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.False(await MicrophoneAllowedAsync(page));
        AssertNoBrowserProblems();
    }

    [Fact]
    public async Task Admin_pages_and_the_jobs_dashboard_run_without_a_csp_violation()
    {
        var page = await NewPageAsync();
        await LoginAsAdminAsync(page);
        foreach (var path in new[] { "/admin", "/admin/tenants", "/admin/billing", "/admin/settings" })
        {
            await GotoAsync(page, path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            AssertNoBrowserProblems();
        }

        var jobs = await page.GotoAsync("/admin/jobs") ?? throw new InvalidOperationException("no response");
        Assert.Contains("script-src 'self' 'unsafe-inline'", await jobs.HeaderValueAsync("content-security-policy") ?? "");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        AssertNoBrowserProblems();
    }
}
