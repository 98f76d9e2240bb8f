#pragma once
// A message being sent, or waiting for its reports, as the session core
// keeps it. Internal header of the session core (no Asio).

#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/range_set.hpp>
#include <msrp/protocol/report_rules.hpp>
#include <msrp/session/message_report.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace msrp::detail {

/// The driver derives from it to keep what the core cannot hold: a body
/// source is a coroutine, read by the driver when the core asks for it.
struct outgoing_message : std::enable_shared_from_this<outgoing_message> {
    virtual ~outgoing_message() = default;

    // What the application gave (see `OutgoingMessage`).
    std::string content_type = "text/plain";
    std::string data;
    std::shared_ptr<const std::string> shared_data;
    bool from_source = false;                 ///< the body comes from a source, read chunk by chunk
    std::optional<std::uint64_t> size;        ///< a source's size, when known
    std::optional<std::size_t> chunk_size;    ///< body bytes per chunk; absent: the session's
    std::optional<std::string> failure_report_field;
    std::optional<std::string> success_report_field;
    std::vector<Header> headers;
    std::string id;                           ///< Message-ID; empty: one is chosen
    message_handler on_report;

    // The core's state of it.
    /// The body in memory: `shared_data` or `data` (empty for a source).
    std::string_view body;
    std::uint64_t total = ByteRange::unknown; ///< Byte-Range total, once known
    std::size_t chunk_bytes = 0;              ///< body bytes per chunk (`chunk_size` or the session's)
    std::uint64_t next = 1;                   ///< position of the next byte to send
    std::size_t queued_bytes = 0;             ///< charged to the send queue
    failure_report failure_mode = failure_report::yes;
    bool success_report = false;
    bool all_sent = false;         ///< the last chunk went out
    bool abort_requested = false;
    bool final_sent = false;       ///< the final report was given
    bool holds_turn = false;       ///< counted among the interleaved messages
    bool waits_for_report = false; ///< among the report deadlines
    bool waits_for_room = false;   ///< held by the REPORT window (report_window)
    /// Why it is given up when `abort_requested` and this is set (the final
    /// report's code, comment and error); else it is `abort_message`'s doing.
    int abort_code = 0;
    std::string abort_comment;
    std::error_code abort_error;
    std::size_t in_flight = 0;     ///< chunks waiting for their response
    range_set delivered;           ///< bytes success REPORTs confirmed

    /// The Byte-Range total to report: the size, or what was sent of an unknown one.
    std::uint64_t known_total() const noexcept { return total != ByteRange::unknown ? total : next - 1; }
};

} // namespace msrp::detail
