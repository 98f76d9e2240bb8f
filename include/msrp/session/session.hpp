#pragma once
/// \file
/// `MSRPSession` and `GreenMSRPSession`: where chunks become messages
/// (the seed's `session.MSRPSession` / `session.GreenMSRPSession`, RFC 4975
/// §7 and §8).

#include <msrp/protocol/message_assembler.hpp>
#include <msrp/session/message_report.hpp>
#include <msrp/session/session_options.hpp>
#include <msrp/session/session_stats.hpp>
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

/// A message to send, split into chunks of `chunk_size` (by default
/// `session_options::chunk_size`).
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
    /// Body bytes per chunk for this message; absent: the session's
    /// `session_options::chunk_size`. A message for a peer or relay with
    /// small frames (Kamailio's relay refuses chunks over about 11 KiB)
    /// can go in small chunks while the session's others go in large
    /// ones. A source is read this many bytes at a time, and a message
    /// read from one counts this much against `max_queued_bytes`. 0 is
    /// refused (`errc::invalid_argument`).
    std::optional<std::size_t> chunk_size;
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

// What the session's operations run; they hold the state, not the session,
// so that an operation that runs late finds it alive (and closed).
asio::awaitable<std::optional<Chunk>> deliver_chunk(std::shared_ptr<session_state> st, Chunk chunk,
                                                    std::error_code& ec);
asio::awaitable<std::string> queue_message(std::shared_ptr<session_state> st, OutgoingMessage message,
                                           message_handler on_report, std::error_code& ec);
asio::awaitable<void> shutdown_session(std::shared_ptr<session_state> st, std::error_code& ec);
asio::awaitable<IncomingMessage> receive_message(std::shared_ptr<session_state> st, std::error_code& ec);
asio::any_io_executor executor_of(const session_state& st);

/// `deliver_chunk`'s error as an exception: `MSRPTransactionError` when the
/// peer answered with an error status.
struct raise_transaction_error {
    [[noreturn]] void operator()(std::error_code ec, std::optional<Chunk>& response, const char* what) const;
};
} // namespace detail

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
    /// `no`: completes with `void(std::error_code, std::optional<Chunk>)`,
    /// the response on 2xx; a non-2xx one is `errc::transaction_failed`
    /// with the response (awaited as is: `MSRPTransactionError` is thrown),
    /// also for one made up locally (408, no answer in time). With Failure-Report `no`, completes with nothing once queued. Errors
    /// also as `send_chunk`'s.
    template <detail::operation_token<std::optional<Chunk>> CompletionToken = asio::use_awaitable_t<>>
    auto deliver_chunk(Chunk chunk, CompletionToken&& token = {}) {
        return detail::run_operation<std::optional<Chunk>>(
            executor(), std::forward<CompletionToken>(token),
            [st = state_, chunk = std::move(chunk)](std::error_code& ec) mutable {
                return detail::deliver_chunk(std::move(st), std::move(chunk), ec);
            },
            "MSRPSession::deliver_chunk", detail::raise_transaction_error{});
    }

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
    /// queue. Completes with `void(std::error_code, std::string)`, the
    /// Message-ID; `asio::error::operation_aborted` when the session ended
    /// while it waited.
    template <detail::operation_token<std::string> CompletionToken = asio::use_awaitable_t<>>
    auto queue_message(OutgoingMessage message, message_handler on_report, CompletionToken&& token = {}) {
        return detail::run_operation<std::string>(
            executor(), std::forward<CompletionToken>(token),
            [st = state_, message = std::move(message), on_report = std::move(on_report)](std::error_code& ec) mutable {
                return detail::queue_message(std::move(st), std::move(message), std::move(on_report), ec);
            },
            "MSRPSession::queue_message");
    }
    auto queue_message(OutgoingMessage message) { return queue_message(std::move(message), message_handler{}); }

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
    /// fails with `errc::session_closed`. Completes with
    /// `void(std::error_code)`: nothing when all was sent and answered, or
    /// when the session had already ended (how it ended was reported then);
    /// `errc::no_response` when answers were still missing at the timeout;
    /// the reason the session ended when it ended while sends or answers
    /// were outstanding (`asio::error::eof` when the peer closed,
    /// `errc::session_closed` after `close`, ...). How the closing
    /// handshake (TLS close_notify) goes is not reported: nothing is lost by
    /// then.
    template <detail::operation_token<void> CompletionToken = asio::use_awaitable_t<>>
    auto shutdown(CompletionToken&& token = {}) {
        return detail::run_operation<void>(
            executor(), std::forward<CompletionToken>(token),
            [st = state_](std::error_code& ec) mutable { return detail::shutdown_session(std::move(st), ec); },
            "MSRPSession::shutdown");
    }
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

    /// The transport's executor: where the session runs and its
    /// operations complete.
    asio::any_io_executor executor() const;

    /// What the session counted of the traffic it handles by itself: empty
    /// SENDs and keep-alives received, keep-alives sent and answered (see
    /// `session_stats`). A copy, taken now.
    session_stats stats() const noexcept;
    /// Has `on_empty_send` called, on the session's executor, with every
    /// empty SEND received for this session (RFC 4975 §7.1: a keep-alive,
    /// answered 200 and not delivered as a message), after its answer was
    /// queued; an empty handler (the default) calls nothing. It may call
    /// into the session. Not called once the session object is gone.
    void set_empty_send_handler(empty_send_handler on_empty_send);

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
    /// Completes with `void(std::error_code, IncomingMessage)`.
    template <detail::operation_token<IncomingMessage> CompletionToken = asio::use_awaitable_t<>>
    auto receive_chunk(CompletionToken&& token = {}) {
        return detail::run_operation<IncomingMessage>(
            executor(), std::forward<CompletionToken>(token),
            [st = state_](std::error_code& ec) mutable { return detail::receive_message(std::move(st), ec); },
            "GreenMSRPSession::receive_chunk");
    }

    /// Messages waiting in the queue.
    std::size_t incoming_queue_size() const noexcept;
};

} // namespace msrp
