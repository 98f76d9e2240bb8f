#pragma once
/// \file
/// `MSRPChat`: instant messaging over one MSRP session (the seed's
/// `sipsimple.msrp.MSRPChat`). It wraps outgoing messages in message/cpim
/// when the peer's accept-types ask for it, unwraps incoming ones, sends and
/// shows is-composing state (RFC 3994), and tells the application what
/// happens through notifications (`chat_notifications.hpp`).
///
/// ```
/// msrp::MSRPChat chat(executor, center, {"sip:alice@example.com", "Alice"},
///                     "sip:bob@example.com", /*outgoing=*/true);
/// co_await chat.initialize();             // posts MSRPChatDidInitialize{sdpmedia}
/// ... offer sdpmedia in SIP, get the answer's media ...
/// co_await chat.start(remote_media);       // posts MSRPChatDidStart
/// chat.send_message("Hello");              // MSRPChatDidDeliverMessage later
/// co_await chat.end();                     // MSRPChatWillEnd, MSRPChatDidEnd
/// ```

#include <msrp/connect/connector.hpp>
#include <msrp/notify/notification_center.hpp>
#include <msrp/protocol/cpim.hpp>
#include <msrp/protocol/iscomposing_state.hpp>
#include <msrp/protocol/sdp_media.hpp>
#include <msrp/session/session.hpp>
#include <msrp/streams/chat_notifications.hpp>

#include <msrp/detail/async_operation.hpp>

#include <asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace msrp {

/// Who this side is (the seed's account): the From of the CPIM wrapper.
struct ChatIdentity {
    std::string uri;           ///< `sip:alice@example.com`
    std::string display_name;  ///< may be empty
};

/// How a chat connects and what it accepts.
struct chat_settings {
    /// This side's MSRP URI: host (the address the peer connects to, or
    /// that is listened on), port (0: any free one), `use_tls` for msrps.
    URI local_uri;
    /// A relay to reserve a path at (RFC 4976); none: direct.
    std::optional<relay_settings> relay;
    connect_options connect;
    /// Session limits and timeouts (its `accept_types` is replaced by the
    /// chat's own below).
    session_options session;
    /// What this side accepts (offered as a=accept-types).
    std::vector<std::string> accept_types{"message/cpim", "text/*", std::string(iscomposing_content_type)};
    /// What this side accepts inside message/cpim (a=accept-wrapped-types).
    std::vector<std::string> accept_wrapped_types{"*"};
    /// Largest incoming message; a larger one is refused with 413. Chat
    /// messages are delivered whole, so this bounds memory per message.
    std::size_t max_message_bytes = 1u << 20;
    /// Messages `send_message` queues before the start; more fail with
    /// `errc::queue_full`.
    std::size_t max_queued_messages = 1024;
    /// Offer private messages (RFC 7701 `a=chatroom:private-messages`), so
    /// the peer may send to a `to_uri` other than this side's.
    bool private_messages = false;
    /// RFC 3994 timers for `typing()` and the peer's indications.
    iscomposing_timing composing;
    /// Where the traffic goes, when wanted.
    std::shared_ptr<Logger> logger;
};

/// A message the chat cannot send as asked (the seed's MSRPChatError):
/// `code()` says why (`errc::not_supported` for a private message the
/// peer does not take, `errc::invalid_argument` for a content type it does
/// not accept, `errc::session_closed` after `end()`).
class MSRPChatError : public std::system_error {
public:
    MSRPChatError(std::error_code ec, const std::string& what) : std::system_error(ec, what) {}
};

namespace detail {
struct chat_state;
}

/// One chat stream. Use it from its executor only; `initialize`, `start`
/// and `end` once each, in that order (`end` also after a failure or
/// instead of `start`).
///
/// Every message sent gets exactly one of `MSRPChatDidDeliverMessage` and
/// `MSRPChatDidNotDeliverMessage`, including those still queued when the
/// chat ends. Notifications are delivered on the executor after the call
/// that caused them has returned.
class MSRPChat {
public:
    MSRPChat(asio::any_io_executor executor, NotificationCenter& center, ChatIdentity account,
             std::string remote_uri, bool outgoing, chat_settings settings = {});
    ~MSRPChat();
    MSRPChat(const MSRPChat&) = delete;
    MSRPChat& operator=(const MSRPChat&) = delete;

    /// Prepares the connection (listens, for the incoming side; reserves
    /// a relay path when configured) and posts `MSRPChatDidInitialize` with
    /// the local media description. On failure posts `MSRPChatDidFail`
    /// (context "initialize") and completes with its error. Completes with
    /// `void(std::error_code)`; tokens as for `Connector::prepare`.
    template <detail::operation_token<void> CompletionToken = asio::use_awaitable_t<>>
    auto initialize(CompletionToken&& token = {}) {
        return detail::run_operation<void>(
            executor_, std::forward<CompletionToken>(token),
            [st = state_](std::error_code& ec) mutable { return run_initialize(std::move(st), ec); },
            "MSRPChat::initialize");
    }

    /// Checks the peer's media against ours (transport, a=setup roles;
    /// context "sdp_negotiation"), connects or waits for the connection,
    /// binds it (context "start"), posts `MSRPChatDidStart`, and sends what
    /// was queued. From then on each incoming message is posted as
    /// `MSRPChatGotMessage`; a broken connection as `MSRPChatDidFail`
    /// (context "reading"), and so is an is-composing timer loop stopped
    /// by an exception (context "composing"). An incoming chat given
    /// media without a path binds the first peer that connects to it when
    /// `chat_settings::connect.accept_any_peer` is set (see
    /// `connect_options`), else fails with `errc::no_remote_path`. Completes with `void(std::error_code)`.
    template <detail::operation_token<void> CompletionToken = asio::use_awaitable_t<>>
    auto start(SDPMedia remote_media, CompletionToken&& token = {}) {
        return detail::run_operation<void>(
            executor_, std::forward<CompletionToken>(token),
            [st = state_, media = std::move(remote_media)](std::error_code& ec) mutable {
                return run_start(std::move(st), std::move(media), ec);
            },
            "MSRPChat::start");
    }

    /// Posts `MSRPChatWillEnd`, sends what is queued and waits (at most the
    /// session's response timeout) for the answers still owed, closes,
    /// posts `MSRPChatDidEnd` (always). Messages that could not be
    /// delivered get `MSRPChatDidNotDeliverMessage`. Completes with
    /// `void(std::error_code)`: the session's shutdown error (see
    /// `MSRPSession::shutdown`; `errc::no_response`, or why the session
    /// ended while it waited); nothing when the chat never started, had
    /// already failed (that was `MSRPChatDidFail`) or was already ending.
    template <detail::operation_token<void> CompletionToken = asio::use_awaitable_t<>>
    auto end(CompletionToken&& token = {}) {
        return detail::run_operation<void>(
            executor_, std::forward<CompletionToken>(token),
            [st = state_](std::error_code& ec) mutable { return run_end(std::move(st), ec); }, "MSRPChat::end");
    }

    /// Sends a message and returns the chunk made for it (its Message-ID in
    /// `message_id()`); before `start` it is queued until the chat starts,
    /// and the chunk shows the content as given (the wrapper is chosen when
    /// the peer's media is known).
    /// Wrapped in message/cpim when the peer's accept-types name it (then
    /// `content_type` is the inner type), else sent as `content_type`.
    /// `to_uri` other than the remote URI is a private message: only when
    /// the peer offers them. `datetime`: the CPIM DateTime, now when absent.
    /// Uses Failure-Report `partial` and Success-Report `yes`. Throws
    /// `MSRPChatError` (see there); the `ec` form returns an empty chunk.
    Chunk send_message(std::string content, std::string content_type = "text/plain",
                       std::optional<std::string> to_uri = std::nullopt,
                       std::optional<cpim_datetime> datetime = std::nullopt);
    Chunk send_message(std::string content, std::string content_type, std::optional<std::string> to_uri,
                       std::optional<cpim_datetime> datetime, std::error_code& ec);

    /// The user typed: sends an "active" is-composing indication when the
    /// state changes or its refresh is due, and "idle" after the idle
    /// timeout without typing (RFC 3994 §4.2). Nothing is sent when the
    /// peer does not accept application/im-iscomposing+xml or the chat has
    /// not started.
    void typing();
    /// This side's is-composing state as the peer last heard it.
    composing_state local_composing_state() const noexcept;
    /// The peer's is-composing state (RFC 3994 §4.3).
    composing_state remote_composing_state() const noexcept;

    /// The local media description (after `initialize`).
    const SDPMedia& local_media() const noexcept;
    const ChatIdentity& account() const noexcept;
    const std::string& remote_uri() const noexcept;
    bool outgoing() const noexcept;
    /// Between `MSRPChatDidStart` and the end.
    bool started() const noexcept;
    /// Messages queued before the start and not sent yet.
    std::size_t queued_messages() const noexcept;
    /// The session, once started (nullptr before and after).
    MSRPSession* session() noexcept;

    const asio::any_io_executor& get_executor() const noexcept { return executor_; }

private:
    // What the operations run: they hold the state, which outlives this
    // object while they run.
    static asio::awaitable<void> run_initialize(std::shared_ptr<detail::chat_state> st, std::error_code& ec);
    static asio::awaitable<void> run_start(std::shared_ptr<detail::chat_state> st, SDPMedia remote_media,
                                           std::error_code& ec);
    static asio::awaitable<void> run_end(std::shared_ptr<detail::chat_state> st, std::error_code& ec);

    asio::any_io_executor executor_;
    std::shared_ptr<detail::chat_state> state_;
};

} // namespace msrp
