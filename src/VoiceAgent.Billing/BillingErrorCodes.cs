namespace VoiceAgent.Billing;

/// <summary>Stable codes for problems with billing input; each is the key of its message in BillingTexts.resx.</summary>
public static class BillingErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string NotAnObject = "not_an_object";
    public const string NotAnArray = "not_an_array";
    public const string Missing = "missing";
    public const string NotAWholeNumber = "not_a_whole_number";
    public const string NotANumber = "not_a_number";
    public const string NotPositive = "not_positive";
    public const string RemainingExceedsMinutes = "remaining_exceeds_minutes";
    public const string NotAnIncrement = "not_an_increment";
    public const string NotAKind = "not_a_kind";
    public const string NotACountry = "not_a_country";
    public const string NotAString = "not_a_string";
    public const string NotADate = "not_a_date";
    public const string NotAnInstant = "not_an_instant";
    public const string InvalidPeriod = "invalid_period";

    // The CLI's own messages.
    public const string PreviewUsage = "preview_usage";
    public const string FileNotFound = "file_not_found";
    public const string InvalidCase = "invalid_case";
    public const string TooLarge = "too_large";

    // Refusals of billing actions (BillingException codes).
    public const string InvoiceNotFound = "invoice_not_found";
    public const string IssuerIncomplete = "issuer_incomplete";
    public const string DraftNotCancellable = "draft_not_cancellable";
    public const string AlreadyCancelled = "already_cancelled";
    public const string OnlyDraftsDeletable = "only_drafts_deletable";
    public const string LexofficeOnlyFinalized = "lexoffice_only_finalized";
    public const string LexofficeContactBusy = "lexoffice_contact_busy";
    public const string LexofficeTimeout = "lexoffice_timeout";
    public const string LexofficeUnreachable = "lexoffice_unreachable";
    public const string LexofficeFailed = "lexoffice_failed";
    public const string LexofficeEmpty = "lexoffice_empty";
    public const string GrantMinutes = "grant_minutes";
    public const string TenantNotFound = "tenant_not_found";
    public const string PackageInvalid = "package_invalid";
    public const string PackageNotFound = "package_not_found";
    public const string CheckoutNotConfigured = "checkout_not_configured";
    public const string PackageNotOffered = "package_not_offered";
    public const string CheckoutFailed = "checkout_failed";
    public const string StripeUnreachable = "stripe_unreachable";
    public const string StripeKeyRejected = "stripe_key_rejected";
    public const string StripeKeyForbidden = "stripe_key_forbidden";
    public const string StripeBusy = "stripe_busy";
    public const string StripeRefused = "stripe_refused";
    public const string PlanNameInvalid = "plan_name_invalid";
    public const string PlanNameTaken = "plan_name_taken";
    public const string PricesFromNextMonth = "prices_from_next_month";
    public const string PlanNotFound = "plan_not_found";
    public const string PricesAfterLatestVersion = "prices_after_latest_version";
    public const string PlanAlreadyInvoiced = "plan_already_invoiced";
    public const string PlanAssignmentExists = "plan_assignment_exists";
    public const string PlanChangeFirstOfMonth = "plan_change_first_of_month";
    public const string PricesInvalid = "prices_invalid";
    public const string SaveFailed = "save_failed";

    public static IReadOnlyList<string> All { get; } =
    [
        InvalidJson, NotAnObject, NotAnArray, Missing, NotAWholeNumber, NotANumber, NotPositive, RemainingExceedsMinutes,
        NotAnIncrement, NotAKind, NotACountry, NotAString, NotADate, NotAnInstant, InvalidPeriod,
        PreviewUsage, FileNotFound, InvalidCase, TooLarge,
        InvoiceNotFound, IssuerIncomplete, DraftNotCancellable, AlreadyCancelled, OnlyDraftsDeletable, LexofficeOnlyFinalized, LexofficeContactBusy, LexofficeTimeout, LexofficeUnreachable, LexofficeFailed, LexofficeEmpty, GrantMinutes, TenantNotFound, PackageInvalid, PackageNotFound, CheckoutNotConfigured, PackageNotOffered, CheckoutFailed, StripeUnreachable, StripeKeyRejected, StripeKeyForbidden, StripeBusy, StripeRefused, PlanNameInvalid, PlanNameTaken, PricesFromNextMonth, PlanNotFound, PricesAfterLatestVersion, PlanAlreadyInvoiced, PlanAssignmentExists, PlanChangeFirstOfMonth, PricesInvalid, SaveFailed,
    ];
}
