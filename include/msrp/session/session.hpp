#pragma once
/// \file
/// `MSRPSession` and `GreenMSRPSession`: where chunks become messages
/// (the seed's `session.MSRPSession` / `session.GreenMSRPSession`, RFC 4975
/// §7 and §8).

#include <msrp/protocol/message_assembler.hpp>
#include <msrp/transport/transport.hpp>

#include <asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
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
    /// Body bytes per chunk when a message is split.
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

/// A message to send, split into chunks of `session_options::chunk_size`.
struct OutgoingMessage {
    /// Reads the next bytes of the body into the buffer and returns how
    /// many (0 at the end); for bodies that are not in memory (files,
    /// streams). When set, `data` is ignored.
    using body_source = std::function<asio::awaitable<std::size_t>(std::span<char> buffer, std::error_code& ec)>;

    std::string content_type = "text/plain";
    std::string data;           ///< the body, unless `source` or `shared_data` is set
    /// A body shared with other messages, never copied: a message sent to
    /// many sessions (a chat room, a relay fanning out) is kept once. When
    /// set, `data` is ignored; the session holds a reference until the
    /// message is settled.
    std::shared_ptr<const std::string> shared_data;
    body_source source;
    /// The size of a source's body, when known up front (the Byte-Range
    /// total); unknown sizes are sent as `*` until the last chunk.
    std::optional<std::uint64_t> size;
    /// Failure-Report / Success-Report values (RFC 4975 §7.1.1); absent
    /// means `yes` / `no`.
    std::optional<std::string> failure_report;
    std::optional<std::string> success_report;
    /// More header fields for every chunk (before Content-Type).
    std::vector<Header> headers;
    /// Empty: a random one is chosen. Else an RFC 4975 ident (4 to 32
    /// letters, digits or `.-+%=`, starting with a letter or digit).
    std::string message_id;
};

/// What a session tells the sender of a message.
struct message_report {
    std::string message_id;
    /// 200 for delivered bytes; the MSRP status otherwise (408 for no
    /// answer in time, 413, 415, 481, ...).
    int code = 200;
    std::string comment;
    /// The bytes this report is about.
    ByteRange range;
    /// Set for failures: `errc::transaction_failed` (a response or
    /// REPORT said so), `errc::message_aborted` (`abort_message`),
    /// `errc::session_closed`, or the connection's error.
    std::error_code error;
    /// The message's outcome is settled: delivered whole (`code` 200) or
    /// failed. Exactly one final report comes for every message.
    bool final = false;
    /// The REPORT or failure response this report comes from; nullptr when
    /// the session made it up (timeouts, the end, an abort). Valid during
    /// the handler's call only.
    const Chunk* chunk = nullptr;
};

/// Called once with a chunk's transaction response: the peer's, or one
/// made up locally (see `session_options::response_timeout`).
using response_handler = std::function<void(const Chunk& response)>;
using message_handler = std::function<void(const message_report& report)>;
/// Called with every incoming message (or piece of one, or REPORT); then
/// once with an empty message and `ec` set when the session ends (the
/// reason; `asio::error::eof` when the peer closed).
using incoming_handler = std::function<void(IncomingMessage message, std::error_code ec)>;

/// A failure response to `deliver_chunk` (the seed's MSRPTransactionError):
/// `code()` is `errc::transaction_failed`.
class MSRPTransactionError : public std::system_error {
public:
    MSRPTransactionError(int status, std::string comment);
    int status_code() const noexcept { return status_; }
    const std::string& comment() const noexcept { return comment_; }

private:
    int status_;
    std::string comment_;
};

namespace detail {
struct session_state;
}

/// A bound transport and what runs over it: one reader and one writer
/// coroutine on the transport's executor, the transactions and their
/// timeouts, message chunking and reassembly, responses and reports.
///
/// Sending never waits for the network: chunks and messages queue and the
/// writer sends them in turn, one chunk of each queued message after the
/// other, so a short message is not stuck behind a large one (RFC 4975
/// §7.1). Every chunk sent gets exactly one response or local verdict;
/// every message exactly one final report; nothing queued is dropped
/// without one. No handler is called after the session is destroyed.
///
/// Use it from its executor only.
class MSRPSession {
public:
    MSRPSession(std::unique_ptr<MSRPTransport> transport, session_options options = {},
                incoming_handler on_incoming = {});
    /// Closes at once (as `close`), without calling handlers.
    virtual ~MSRPSession();
    MSRPSession(const MSRPSession&) = delete;
    MSRPSession& operator=(const MSRPSession&) = delete;

    MSRPTransport& transport() noexcept;
    const session_options& options() const noexcept;

    /// The seed's `make_chunk`, with this session's paths.
    Chunk make_chunk(const make_chunk_params& params = {}) const;

    /// Queues `chunk` and returns at once; `on_response` gets its response
    /// (see `response_handler`). Errors: `errc::session_closed`,
    /// `errc::queue_full`, the chunk's `errc` from serializing.
    void send_chunk(Chunk chunk, response_handler on_response, std::error_code& ec);
    void send_chunk(Chunk chunk, response_handler on_response = {});

    /// Sends `chunk` and waits for its response when Failure-Report is not
    /// `no`: returns it on 2xx; a non-2xx one throws `MSRPTransactionError`
    /// (or sets `errc::transaction_failed` and returns it). With
    /// Failure-Report `no`, returns nothing once queued.
    asio::awaitable<std::optional<Chunk>> deliver_chunk(Chunk chunk, std::error_code& ec);
    asio::awaitable<std::optional<Chunk>> deliver_chunk(Chunk chunk);

    /// Queues a message and returns its Message-ID at once; `on_report`
    /// hears what becomes of it (see `message_report`). Errors:
    /// `errc::session_closed`, `errc::queue_full`, `errc::bad_message_id`,
    /// `errc::invalid_argument` (a message with this Message-ID is still
    /// being sent).
    std::string send_message(OutgoingMessage message, message_handler on_report, std::error_code& ec);
    std::string send_message(OutgoingMessage message, message_handler on_report = {});
    /// As `send_message`, but waits while the send queue holds more than
    /// `queue_high_water_bytes`, until a write's worth
    /// (`max_write_batch_bytes`) has gone out, so that small chunks go out
    /// in large writes. A message larger than the mark waits for an empty
    /// queue.
    asio::awaitable<std::string> queue_message(OutgoingMessage message, message_handler on_report,
                                               std::error_code& ec);
    asio::awaitable<std::string> queue_message(OutgoingMessage message, message_handler on_report = {});

    /// Gives up sending a message: its remaining bytes are not sent and the
    /// peer gets a chunk ending in `#` (RFC 4975 §7.1) if part of it went
    /// out. Its final report says `errc::message_aborted`. False when no
    /// such message is being sent.
    bool abort_message(std::string_view message_id);

    /// Stops receiving a message: its next chunks are answered 413 (RFC
    /// 4975 §7.3.1), nothing more of it is delivered, and when its
    /// Failure-Report is `yes` the sender gets a failure REPORT (413). False
    /// when no such message is being received.
    bool stop_message(std::string_view message_id);

    /// Sends what is queued, waits (at most `response_timeout`) for the
    /// responses still owed, then closes the connection. Pending requests
    /// that can no longer complete get their verdict; sending afterwards
    /// fails with `errc::session_closed`.
    asio::awaitable<void> shutdown();
    /// Closes at once; queued and pending requests and messages get their
    /// failure reported.
    void close() noexcept;
    bool is_open() const noexcept;

    /// Bytes waiting in the send queue (see `max_queued_bytes`).
    std::size_t queued_bytes() const noexcept;
    /// Requests sent and waiting for their response.
    std::size_t pending_transactions() const noexcept;
    /// Responses and REPORTs waiting to be written.
    std::size_t queued_replies() const noexcept;
    /// Messages being received (reassembly in progress).
    std::size_t messages_in_progress() const noexcept;

protected:
    struct green_tag {};
    MSRPSession(green_tag, std::unique_ptr<MSRPTransport> transport, session_options options);

    std::shared_ptr<detail::session_state> state_;
};

/// A session whose incoming messages wait in a bounded queue (an Asio
/// channel) for `receive_chunk`, as the seed's GreenMSRPSession delivers
/// them to its queue. A full queue stops the reading of the socket.
class GreenMSRPSession : public MSRPSession {
public:
    explicit GreenMSRPSession(std::unique_ptr<MSRPTransport> transport, session_options options = {});
    ~GreenMSRPSession() override;

    /// The next incoming message, piece or REPORT. After the connection
    /// ended, the ones already queued still come, then the reason it
    /// ended (`asio::error::eof` when the peer closed), every time.
    asio::awaitable<IncomingMessage> receive_chunk(std::error_code& ec);
    asio::awaitable<IncomingMessage> receive_chunk();

    /// Messages waiting in the queue.
    std::size_t incoming_queue_size() const noexcept;
};

} // namespace msrp
