#pragma once
/// \file
/// The is-composing state machines of RFC 3994 §3.2 (the composer, who
/// types) and §3.3 (the receiver, who shows "is typing"), sans-IO: they
/// own no timer and read no clock. The caller passes the current time to
/// every call, sends the documents they return, and calls `tick` at
/// `next_deadline()`. Any monotonic clock will do; `steady_clock` is the
/// one a coroutine layer's timers use.

#include <msrp/protocol/iscomposing.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace msrp {

/// The intervals of RFC 3994 §3.2 and §3.3, defaulting to the RFC's
/// recommended values.
struct iscomposing_timing {
    /// The `<refresh>` a composer announces in its active documents (RFC
    /// 3994 §3.2; 120 s). One that stays active repeats its document a
    /// tenth of this (at least a second) before it runs out, every 108 s
    /// by default, so that the repeat arrives before the receiver's
    /// expiry.
    std::chrono::seconds active_refresh{120};
    /// How long a composer stays active after the last change to the
    /// message before it goes idle on its own (RFC 3994 §3.2: 15 s).
    std::chrono::seconds idle_timeout{15};
    /// How long a receiver shows a peer as active after an active document
    /// without `<refresh>` (RFC 3994 §3.3: 120 s).
    std::chrono::seconds receiver_default_timeout{120};
};

/// The composer's side (RFC 3994 §3.2): idle until the user changes the
/// message, then active until the message is sent or nothing changes for
/// `idle_timeout`. Call `typed` on each keystroke or other change to the
/// content, `message_sent` when the message itself goes, and `tick` at
/// `next_deadline()`. Each returns the document to send now, if any; the
/// caller formats it (`format_iscomposing`) and sends it with Content-Type
/// `iscomposing_content_type`.
///
/// Documents carry no `<lastactive>`: the machine knows no wall-clock
/// time. A caller that wants one (RFC 3994 §3.2 suggests it for idle)
/// sets it on the returned document.
class composing_sender {
public:
    /// `content_type` goes into every active document's `<contenttype>`
    /// (`text/plain`, `audio`, ...); empty leaves the element out.
    explicit composing_sender(iscomposing_timing timing = {}, std::string content_type = {});

    /// The user changed the message. From idle: goes active and returns an
    /// active document with `refresh` = `active_refresh`. While active:
    /// restarts the idle timeout and returns an active document only when
    /// the refresh is due (see `active_refresh`), so a
    /// stream of keystrokes costs one document per refresh interval.
    std::optional<IsComposing> typed(std::chrono::steady_clock::time_point now);

    /// The message was sent: goes idle and returns nothing, because the
    /// message itself tells the receiver that composing ended (RFC 3994
    /// §3.2, §3.3), so no idle document is sent.
    std::optional<IsComposing> message_sent(std::chrono::steady_clock::time_point now);

    /// Acts on expired timers. When `idle_timeout` has passed since the
    /// last `typed`: goes idle and returns an idle document (RFC 3994 §3.2;
    /// this takes precedence when the refresh is due too). Else when the
    /// refresh is due: returns the active document again. Else (and when
    /// idle) nothing. Calling it early or more than once is harmless.
    std::optional<IsComposing> tick(std::chrono::steady_clock::time_point now);

    /// When `tick` must next be called: the earlier of the idle timeout
    /// and the refresh while active; nothing while idle.
    std::optional<std::chrono::steady_clock::time_point> next_deadline() const;

    /// Whether the local user is composing, as last told to the peer.
    composing_state state() const noexcept { return state_; }

private:
    IsComposing active_document() const;
    std::chrono::steady_clock::time_point refresh_due() const;

    iscomposing_timing timing_;
    std::string content_type_;
    composing_state state_ = composing_state::idle;
    std::chrono::steady_clock::time_point last_typed_{};
    std::chrono::steady_clock::time_point last_active_sent_{};
};

/// The receiver's side (RFC 3994 §3.3): tracks whether the peer composes.
/// Active from an active document until an idle document, a message from
/// the peer, or the document's `refresh` (else `receiver_default_timeout`)
/// passing without another active document. Each call returns whether
/// what a user interface shows changed: the state, or while active the
/// content type being composed.
class composing_receiver {
public:
    /// Starts idle; only `receiver_default_timeout` of `timing` is used.
    explicit composing_receiver(iscomposing_timing timing = {});

    /// A document arrived from the peer. Active: goes (or stays) active
    /// until `now` + its `refresh` (`receiver_default_timeout` when it has
    /// none), replacing any earlier expiry. Idle: goes idle.
    bool received(const IsComposing& doc, std::chrono::steady_clock::time_point now);

    /// A message (content, not a status document) arrived from the peer:
    /// RFC 3994 §3.3, composing ended, go idle.
    bool message_received(std::chrono::steady_clock::time_point now);

    /// Goes idle when the active state has expired (no refresh in time).
    bool tick(std::chrono::steady_clock::time_point now);

    /// When the active state expires (call `tick` then); nothing while idle.
    std::optional<std::chrono::steady_clock::time_point> next_deadline() const;

    /// Whether the peer is composing, as far as this side knows.
    composing_state state() const noexcept { return state_; }

    /// The `<contenttype>` of the document that made the peer active
    /// (what it composes: `text/plain`, `audio`, ...); empty while idle or
    /// when the document had none.
    const std::string& content_type() const noexcept { return content_type_; }

private:
    iscomposing_timing timing_;
    composing_state state_ = composing_state::idle;
    std::chrono::steady_clock::time_point expires_{};
    std::string content_type_;
};

} // namespace msrp
