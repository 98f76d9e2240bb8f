#pragma once
/// \file
/// The lifecycle notifications every MSRP stream posts (`MSRPStreamBase`):
/// which names a stream kind gives them, and the data objects they carry.
/// Each stream kind names its own (`MSRPChatDidStart`, ...; see
/// `chat_notifications.hpp`), as the seed's streams do.

#include <msrp/protocol/sdp_media.hpp>

#include <exception>
#include <string>
#include <string_view>
#include <system_error>

namespace msrp {

/// The names one stream kind posts its lifecycle under. The views must
/// outlive every stream that uses them: give string literals or
/// `inline constexpr` names.
struct stream_notification_names {
    std::string_view did_initialize; ///< Data: `StreamDidInitializeData`.
    std::string_view did_start;      ///< Data: none.
    std::string_view will_end;       ///< Data: none.
    std::string_view did_end;        ///< Data: none. Posted by every `end()`, after `will_end`.
    std::string_view did_fail;       ///< Data: `StreamDidFailData`.
};

struct StreamDidInitializeData {
    /// This side's media description for the SDP offer or answer.
    SDPMedia sdpmedia;
};

struct StreamDidFailData {
    /// Where it failed. Every stream: "initialize", "sdp_negotiation",
    /// "start", "reading"; a stream kind adds its own for the loops it
    /// runs (the chat: "composing").
    std::string context;
    /// A sentence for people.
    std::string reason;
    /// The failure: an error code, and the exception when one was thrown.
    std::error_code failure;
    std::exception_ptr exception;
};

} // namespace msrp
