using System.Globalization;
using System.Text.Json.Nodes;
using VoiceAgent.Activities;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Benchmarks;

/// <summary>
/// The booking conversation of <see cref="BookingFlow"/> written by hand, as a competent engineer would without a flow
/// engine: the same port calls with the same arguments, the same texts (string interpolation instead of templates), and
/// the same state a call has to keep between turns — run variables in a <see cref="JsonObject"/>, the transcript, and
/// where the call waits — because a turn may be resumed on another node from that state. Values that a hand-written
/// turn holds in locals (the understanding, the found slots, the booking result) are used from locals.
/// Only the measured path and the exits of its branches are written out; re-prompts are not (they are never reached).
/// </summary>
public sealed class HandWrittenBooking(ICallChannel channel, ILanguageUnderstanding nlu, ICalendarGateway calendar, TimeProvider time)
{
    public static FlowInstance NewCall(JsonObject variables)
    {
        var call = new FlowInstance();
        foreach (var (name, value) in variables)
        {
            call.Variables[name] = value?.DeepClone();
        }

        return call;
    }

    public async ValueTask StartAsync(FlowInstance call, CancellationToken cancellationToken = default)
    {
        var name = CallerField(call, "name");
        await SayAsync(call, "hello",
            $"Guten Tag, {(name is { Length: > 0 } ? name : "lieber Anrufer")}! Sie sprechen mit dem KI-Assistenten der Praxis Dr. Weber. Wie kann ich Ihnen helfen?",
            new SayOptions(null, true), cancellationToken);
        Wait(call, "listen");
    }

    public ValueTask ResumeAsync(FlowInstance call, CallerInput input, CancellationToken cancellationToken = default)
    {
        if (call.Status != FlowStatus.Suspended || call.Bookmark is not { } bookmark)
        {
            throw new InvalidOperationException("The call is not waiting.");
        }

        call.Transcript.Add(new TranscriptEntry(TranscriptRole.Caller, input.Text, bookmark.NodeId, time.GetUtcNow()));
        call.Bookmark = null;
        call.Status = FlowStatus.Running;
        return bookmark.NodeId switch
        {
            "listen" => AfterGreetingAsync(call, input, cancellationToken),
            "confirm" => AfterOfferAsync(call, input, cancellationToken),
            _ => throw new InvalidOperationException($"Unknown wait point '{bookmark.NodeId}'."),
        };
    }

    private async ValueTask AfterGreetingAsync(FlowInstance call, CallerInput input, CancellationToken cancellationToken)
    {
        var understood = await UnderstandAsync(call, input, cancellationToken);
        if (understood.Intent == Intents.Unknown || !string.Equals(understood.Intent, Intents.BookAppointment, StringComparison.OrdinalIgnoreCase))
        {
            await HangupAsync(call, "bye", "Auf Wiederhören.", cancellationToken);
            return;
        }

        await OfferSlotAsync(call, understood, cancellationToken);
    }

    private async ValueTask AfterOfferAsync(FlowInstance call, CallerInput input, CancellationToken cancellationToken)
    {
        var understood = await UnderstandAsync(call, input, cancellationToken);
        if (understood.YesNo is null)
        {
            await HangupAsync(call, "bye", "Auf Wiederhören.", cancellationToken);
            return;
        }

        if (understood.YesNo == false)
        {
            await OfferSlotAsync(call, understood, cancellationToken);
            return;
        }

        // The chosen slot comes from the call's state: the offer was made in an earlier turn, maybe on another node.
        if (call.Variables[Variables.Slot] is not JsonObject slot || ParseTime(slot["start"]) is not { } start || ParseTime(slot["end"]) is not { } end)
        {
            throw new InvalidOperationException("No slot was offered.");
        }

        var name = CallerField(call, "name");
        var number = CallerField(call, "number");
        var lastInput = call.Variables[Variables.LastInput]?.GetValue<string>();
        BookingResult result;
        try
        {
            result = await calendar.CreateEventAsync(new BookingRequest(start, end,
                $"Termin {(name is { Length: > 0 } ? name : "Anrufer")}",
                $"Telefonisch gebucht über VoiceAgent. Anrufer: {number}. Anliegen: {lastInput}",
                number is { Length: > 0 } ? number : null, name is { Length: > 0 } ? name : null, $"{call.Id}:{Iso(start)}"), cancellationToken);
        }
        catch (PortException)
        {
            await HangupAsync(call, "none", "Leider ist in den nächsten Tagen nichts frei. Auf Wiederhören.", cancellationToken);
            return;
        }

        if (result.Status == BookingStatus.Conflict || result.Event is not { } booked)
        {
            await HangupAsync(call, "conflict", "Der Termin ist leider gerade vergeben worden. Bitte rufen Sie noch einmal an.", cancellationToken);
            return;
        }

        call.Variables[Variables.Event] = new JsonObject
        {
            ["id"] = booked.Id,
            ["start"] = Iso(booked.Start),
            ["end"] = Iso(booked.End),
            ["title"] = booked.Title,
            ["text"] = booked.Text,
            ["pending"] = result.Status == BookingStatus.Pending,
        };
        if (result.Status == BookingStatus.Pending)
        {
            await SayAsync(call, "book",
                $"Ich habe Ihren Wunschtermin am {(call.Variables[Variables.Slot] as JsonObject)?["text"]} notiert. Die Buchung dauert gerade etwas länger; Sie erhalten die Bestätigung in Kürze.",
                default, cancellationToken);
        }

        await HangupAsync(call, "booked", $"Vielen Dank, {name}. Ihr Termin ist eingetragen: {booked.Text}. Auf Wiederhören!", cancellationToken);
    }

    private async ValueTask<Understanding> UnderstandAsync(FlowInstance call, CallerInput input, CancellationToken cancellationToken)
    {
        var text = input.Text.Trim();
        var understood = await nlu.UnderstandAsync(text, cancellationToken);
        var variables = call.Variables;
        variables[Variables.LastInput] = JsonValue.Create(text);
        variables[Variables.Intent] = JsonValue.Create(understood.Intent);
        variables[Variables.Date] = understood.Date is null ? null : JsonValue.Create(understood.Date);
        variables[Variables.Time] = understood.Time is null ? null : JsonValue.Create(understood.Time);
        variables[Variables.PartOfDay] = understood.PartOfDay is null ? null : JsonValue.Create(understood.PartOfDay);
        variables[Variables.Digits] = understood.Digits is null ? null : JsonValue.Create(understood.Digits);
        variables[Variables.Answer] = understood.YesNo is { } yes ? JsonValue.Create(yes) : null;
        return understood;
    }

    private async ValueTask OfferSlotAsync(FlowInstance call, Understanding wish, CancellationToken cancellationToken)
    {
        // Slots offered earlier in the call are part of its state, so a "no" in a later turn skips them.
        var offered = call.Variables[Variables.OfferedSlots] as JsonArray ?? [];
        var exclude = new List<DateTimeOffset>(offered.Count);
        foreach (var item in offered)
        {
            if (ParseTime(item) is { } t)
            {
                exclude.Add(t);
            }
        }

        IReadOnlyList<Slot> slots;
        try
        {
            slots = await calendar.FindSlotsAsync(new SlotRequest(30, 14, 3, wish.Date, wish.Time, wish.PartOfDay, exclude), cancellationToken);
        }
        catch (PortException)
        {
            slots = [];
        }

        var list = new JsonNode[slots.Count];
        for (var i = 0; i < slots.Count; i++)
        {
            list[i] = SlotJson(slots[i]);
        }

        call.Variables[Variables.Slots] = new JsonArray(list);
        if (slots.Count == 0)
        {
            call.Variables[Variables.Slot] = null;
            await HangupAsync(call, "none", "Leider ist in den nächsten Tagen nichts frei. Auf Wiederhören.", cancellationToken);
            return;
        }

        var first = slots[0];
        call.Variables[Variables.Slot] = SlotJson(first);
        offered.Add(Iso(first.Start));
        if (offered.Parent is null)
        {
            call.Variables[Variables.OfferedSlots] = offered;
        }

        await SayAsync(call, "offer", $"Ich hätte {first.Text} frei. Passt Ihnen das?", new SayOptions(null, true), cancellationToken);
        Wait(call, "confirm");
    }

    private async ValueTask SayAsync(FlowInstance call, string step, string text, SayOptions options, CancellationToken cancellationToken)
    {
        call.Transcript.Add(new TranscriptEntry(TranscriptRole.Agent, text, step, time.GetUtcNow()));
        await channel.SayAsync(text, options, cancellationToken);
    }

    private async ValueTask HangupAsync(FlowInstance call, string step, string goodbye, CancellationToken cancellationToken)
    {
        await SayAsync(call, step, goodbye, new SayOptions(null, false), cancellationToken);
        await channel.HangupAsync(cancellationToken);
        call.Status = FlowStatus.Completed;
        call.Bookmark = null;
    }

    private static void Wait(FlowInstance call, string step)
    {
        call.CurrentNodeId = step;
        call.Bookmark = new Bookmark(BookmarkKinds.CallerInput, step, 6);
        call.Status = FlowStatus.Suspended;
    }

    private static string? CallerField(FlowInstance call, string field) =>
        call.Variables[Variables.Caller] is JsonObject caller && caller[field] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    private static JsonObject SlotJson(Slot slot) => new()
    {
        ["start"] = Iso(slot.Start),
        ["end"] = Iso(slot.End),
        ["text"] = slot.Text,
    };

    private static string Iso(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var s)
        && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;
}
