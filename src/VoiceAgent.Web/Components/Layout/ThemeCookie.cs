namespace VoiceAgent.Web.Components.Layout;

/// <summary>The colour scheme the request's cookie named, cascaded to the layouts (null: follow the operating system).</summary>
public sealed record ThemeCookie(string? Value);
