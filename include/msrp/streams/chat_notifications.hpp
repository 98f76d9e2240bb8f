#pragma once
/// \file
/// What `MSRPChat` posts to its `NotificationCenter`: the names of the
/// seed's MSRPChat notifications and the data object each one carries.

#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/cpim.hpp>
#include <msrp/protocol/iscomposing.hpp>
#include <msrp/protocol/sdp_media.hpp>
#include <msrp/streams/stream_notifications.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace msrp {

namespace notification {
/// Data: `ChatDidInitializeData`.
inline constexpr std::string_view chat_did_initialize = "MSRPChatDidInitialize";
/// Data: none.
inline constexpr std::string_view chat_did_start = "MSRPChatDidStart";
/// Data: none.
inline constexpr std::string_view chat_will_end = "MSRPChatWillEnd";
/// Data: none. Posted by every `end()`, after `MSRPChatWillEnd`.
inline constexpr std::string_view chat_did_end = "MSRPChatDidEnd";
/// Data: `ChatDidFailData`.
inline constexpr std::string_view chat_did_fail = "MSRPChatDidFail";
/// Data: `ChatGotMessageData`.
inline constexpr std::string_view chat_got_message = "MSRPChatGotMessage";
/// Data: `ChatDeliveryData`.
inline constexpr std::string_view chat_did_deliver_message = "MSRPChatDidDeliverMessage";
/// Data: `ChatDeliveryData`.
inline constexpr std::string_view chat_did_not_deliver_message = "MSRPChatDidNotDeliverMessage";
/// Data: `ChatComposingData`. The peer's is-composing state changed
/// (RFC 3994), from a document it sent, its message, or the state's expiry.
inline constexpr std::string_view chat_got_composing_indication = "MSRPChatGotComposingIndication";
/// Data: `ChatDidSendMessageData`. A message went to the session (a hook
/// for "message sent" sounds and logs; delivery is told by the two above).
inline constexpr std::string_view chat_did_send_message = "MSRPChatDidSendMessage";
/// Data: `ChatGotInvalidMessageData`. A message arrived whose CPIM wrapper
/// or is-composing document could not be read; it is not posted as a
/// chat message.
inline constexpr std::string_view chat_got_invalid_message = "MSRPChatGotInvalidMessage";
} // namespace notification

/// The local media, posted by the chat's stream base.
using ChatDidInitializeData = StreamDidInitializeData;

/// Where it failed: "initialize", "sdp_negotiation", "start", "reading",
/// or "composing" (the is-composing timer loop stopped on an exception).
using ChatDidFailData = StreamDidFailData;

struct ChatGotMessageData {
    /// What the remote user wrote (the content inside the CPIM wrapper).
    std::string content;
    /// The content's type (the inner one when wrapped).
    std::string content_type;
    /// The CPIM envelope (From, To, DateTime, ...) with an empty body;
    /// nullopt when the message came without a CPIM wrapper.
    std::optional<CPIMMessage> cpim_headers;
    /// The MSRP message as it arrived.
    Chunk message;
};

struct ChatDeliveryData {
    std::string message_id;
    /// 200 when delivered; else the MSRP status (408 when no report came in
    /// time or the chat ended first, 413, 415, 481, ...).
    int code = 0;
    std::string reason;
    /// The REPORT or response that told; for outcomes decided locally
    /// (timeouts, the end of the chat) a response made here with the same
    /// code and reason.
    Chunk message;
    /// Set for failures: `errc::transaction_failed` when the peer said so,
    /// else what ended the session.
    std::error_code error;
};

struct ChatComposingData {
    composing_state state = composing_state::idle;
    /// The content type being composed (`text/plain`), empty when not said.
    std::string content_type;
    std::optional<std::string> last_active;
    /// The peer's refresh interval in seconds, when it gave one.
    std::optional<std::uint32_t> refresh;
};

struct ChatDidSendMessageData {
    std::string message_id;
    std::string content_type;
};

struct ChatGotInvalidMessageData {
    std::error_code error;
    Chunk message;
};

} // namespace msrp
