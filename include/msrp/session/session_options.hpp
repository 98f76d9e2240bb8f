#pragma once
/// \file
/// `session_options`: what an `MSRPSession` may use and how long it waits.
/// No Asio here: the sans-IO session core reads them too.

#include <msrp/protocol/message_assembler.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace msrp {

/// What a session may use and how long it waits.
struct session_options {
    /// Content types accepted in incoming SENDs (RFC 4975 §8.6: `*`,
    /// `type/*`, `type/subtype`); others are answered 415.
    std::vector<std::string> accept_types{"*"};
    /// How long a request waits for its response before one is made up
    /// locally (the seed's RESPONSE_TIMEOUT): 408 when Failure-Report is
    /// `yes` or absent, 200 when it is `partial` or `no`.
    std::chrono::milliseconds response_timeout{30000};
    /// Body bytes per chunk when a message is split; a message may set its
    /// own (`OutgoingMessage::chunk_size`).
    std::size_t chunk_size = 16 * 1024;
    /// Messages of more than one chunk sent at once, their chunks taking
    /// turns (RFC 4975 §7.1); more wait for one of them to end, so that a
    /// receiver is not asked to reassemble many at a time. A message that
    /// fits in one chunk never waits behind them.
    std::size_t max_interleaved_messages = 4;
    /// Bytes of chunks and whole-message bodies waiting to be sent. Beyond
    /// it `send_chunk` / `send_message` fail with `errc::queue_full` and
    /// `queue_message` waits. A message read from a source counts one
    /// chunk; every chunk and message counts 512 bytes more for its state.
    /// A body given in memory counts whole until its last chunk is written
    /// (then it is freed): send large files from a `source`, or a chat
    /// line queued behind one may find the queue full.
    std::size_t max_queued_bytes = 4u << 20;
    /// Where `queue_message` starts to wait (counted as `max_queued_bytes`
    /// is, and never above it). A producer that outruns the socket gets
    /// this far ahead of the writer, not the whole queue ahead: what it
    /// queued is still in the CPU's caches when it is written and answered
    /// (many small messages run about a fifth faster for it), and the rest
    /// of the queue stays free for `send_message` and `send_chunk`.
    std::size_t queue_high_water_bytes = 512 * 1024;
    /// Responses and REPORTs waiting to be written; when reached, the
    /// session stops reading until they are out (a peer that sends and
    /// never reads cannot grow them).
    std::size_t max_queued_replies = 1024;
    /// The send window: requests written and still waiting for their
    /// response (RFC 4975 §7.1.1), at most this many and this many body
    /// bytes. A message's next chunk waits until answers make room, so a
    /// sender paces itself on a receiver that answers slowly instead of
    /// running its chunks into `response_timeout` while the receiver is
    /// still reading; and since nothing waits long for the window, the
    /// send queue fills and `queue_message` waits in turn. Chunks given
    /// whole (`send_chunk`) and replies are not held back, but count.
    /// Chunks with Failure-Report `no` get no response and do not count.
    std::size_t max_requests_in_flight = 4096;
    std::size_t max_bytes_in_flight = 16u << 20;
    /// The REPORT window, for senders through relays: when set, a message
    /// sent with `Success-Report: yes` keeps at most this many body bytes
    /// sent and not yet covered by success REPORTs, and its next chunk
    /// waits until REPORTs cover enough. Through a relay (RFC 4976) every
    /// hop answers 200 at once, so the window above paces a sender on the
    /// first relay only; a success REPORT comes from the far receiver
    /// (RFC 4975 §7.1.2, its Byte-Range says what arrived). REPORTs for
    /// bytes `1-N` (cumulative) and for single chunks both count. When
    /// nothing is unreported one chunk always goes, so a window smaller
    /// than a chunk sends one chunk at a time.
    ///
    /// It needs a receiver that reports progress, not only whole messages:
    /// this library's with `progress_report_bytes` (at most the window),
    /// or sipsimple's file transfer, which reports every chunk. When no
    /// REPORT makes room within `response_timeout` (a receiver that
    /// reports only whole messages, and a message larger than the window),
    /// the message fails: its final report says 408 and
    /// `errc::report_window_stalled`, and the peer gets its chunk ending in
    /// `#` (RFC 4975 §7.1). A REPORT that covers new bytes without making
    /// room starts that time again. Absent (the default): no REPORT window.
    std::optional<std::size_t> max_unreported_bytes;
    /// Receiving: when set, a message sent with `Success-Report: yes` is
    /// also reported as it arrives (RFC 4975 §7.1.2 lets a receiver report
    /// chunks, not only the whole message): a success REPORT for bytes 1-N, N
    /// the bytes received in order from the first, each time N has grown
    /// by at least this many since the last one (1: after every chunk that
    /// moves N on), after the chunk's 200. The REPORT for the whole
    /// message comes at the end as always. A sender pacing on REPORTs
    /// (`max_unreported_bytes`) needs them at most its window apart.
    /// Absent (the default): only whole messages are reported.
    std::optional<std::uint64_t> progress_report_bytes;
    /// Most bytes written in one gather write (several small chunks go
    /// out together; one large chunk goes alone).
    std::size_t max_write_batch_bytes = 256 * 1024;
    /// A chunk larger than this is read in segments of about this size, so
    /// it never sits in memory whole (see `MSRPTransport::read_chunk`).
    std::size_t read_segment_bytes = 64 * 1024;
    /// Limits of incoming message reassembly.
    assembler_limits receive;
    /// When set, an empty SEND (`Keep-Alive: yes`) goes out after this
    /// long without traffic; no answer within `response_timeout` ends the
    /// session with `asio::error::timed_out`.
    std::optional<std::chrono::milliseconds> keepalive_interval;
    /// `GreenMSRPSession`: messages received and not yet taken by
    /// `receive_chunk`. When full the session stops reading the socket, so
    /// TCP flow control slows the sender.
    std::size_t max_incoming_queue = 64;
};

} // namespace msrp
