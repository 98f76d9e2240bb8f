#pragma once
/// \file
/// `MSRPStreamBase`: the lifecycle every MSRP media stream shares (the base
/// of sipsimple's MSRP streams): choosing and preparing the connector, the
/// local SDP media, checking the peer's media, connecting and binding, the
/// session, the failure contexts, and the end. A stream kind (`MSRPChat`,
/// file transfer, desktop sharing) derives from it and supplies what is its
/// own through the hooks below; its public class owns it through a
/// `std::shared_ptr` and forwards `initialize`, `start` and `end` to it.
///
/// The lifecycle, with the notifications under the stream kind's names
/// (`stream_notification_names`) and the hooks in the order they run:
/// - `initialize`: `describe_media` → DidInitialize (or DidFail
///   "initialize");
/// - `start`: `check_remote_media` (DidFail "sdp_negotiation"),
///   `remote_media_accepted`, connect and bind (DidFail "start"),
///   `tune_session`, DidStart, `on_started`; then `on_message` for each
///   message, and DidFail "reading" once the connection breaks;
/// - `end`: WillEnd, `on_stopping`, session shutdown, connector cleanup,
///   `on_ended`, DidEnd.

#include <msrp/connect/connector.hpp>
#include <msrp/notify/notification_center.hpp>
#include <msrp/protocol/sdp_media.hpp>
#include <msrp/session/session.hpp>
#include <msrp/streams/stream_notifications.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <any>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace msrp {

/// How a stream connects: the part of a stream kind's settings the base
/// reads.
struct stream_settings {
    /// This side's MSRP URI: host (the address the peer connects to, or
    /// that is listened on), port (0: any free one), `use_tls` for msrps.
    URI local_uri;
    /// A relay to reserve a path at (RFC 4976); none: direct.
    std::optional<relay_settings> relay;
    connect_options connect;
    /// Session limits and timeouts; `accept_types` is replaced by the
    /// media's, and `MSRPStreamBase::tune_session` may change more.
    session_options session;
    /// Where the traffic goes, when wanted.
    std::shared_ptr<Logger> logger;
};

/// What a stream kind puts into its local media description beside what
/// the base fills in (path, port, c=, proto, a=setup, a=fingerprint).
struct stream_media {
    /// The m= media: "message" for chat and file transfer, "application"
    /// for desktop sharing.
    std::string media = "message";
    /// a=accept-types; also what the session accepts (others get 415).
    std::vector<std::string> accept_types;
    std::vector<std::string> accept_wrapped_types;
    /// a=max-size: the largest message this side takes.
    std::optional<std::uint64_t> max_size;
    /// sendonly, recvonly, ...; empty: none written (sendrecv).
    std::string direction;
    /// Further a= lines, written in this order.
    std::vector<SDPAttribute> attributes;
};

/// Sets what the TLS handshake of the first hop expects of the
/// certificate, given the peer's media.
///
/// RFC 4572 §5 (RFC 8122): an `a=fingerprint` names the certificate of the
/// endpoint that wrote the SDP. Without a relay the first hop is that
/// endpoint, so its fingerprint is required. With a relay (RFC 4976) TLS
/// runs hop by hop and the first hop is the relay, which presents its own
/// certificate: requiring the peer's fingerprint of it would fail every
/// relayed session, so `tls` keeps what the settings say about the relay
/// (`verify_peer_chain`, `verify_host`, a pinned fingerprint). Media over
/// plain TCP leave `tls` as it is.
void expect_first_hop_certificate(tls::settings& tls, const SDPMedia& remote_media,
                                  const std::optional<relay_settings>& relay);

/// The shared lifecycle of an MSRP stream. Create the derived object with
/// `std::make_shared` (its coroutines and loops keep it alive through
/// `shared_from_this`); use it from its executor only; `initialize`,
/// `start` and `end` once each, in that order (`end` also after a failure
/// or instead of `start`). Notifications are posted with the public
/// object's address as sender and delivered after the call that caused
/// them has returned.
class MSRPStreamBase : public std::enable_shared_from_this<MSRPStreamBase> {
public:
    enum class phase { created, initializing, initialized, starting, started, ending, ended };

    virtual ~MSRPStreamBase();
    MSRPStreamBase(const MSRPStreamBase&) = delete;
    MSRPStreamBase& operator=(const MSRPStreamBase&) = delete;

    /// Chooses the connector (RFC 4975 §5.4: the offerer connects, the
    /// answerer listens; a relay when configured), prepares it and posts
    /// DidInitialize with the local media. Errors: `errc::invalid_argument`
    /// when not called first; the connector's (then DidFail "initialize").
    asio::awaitable<void> initialize(std::error_code& ec);

    /// Checks the peer's media against the local one (transport, a=path,
    /// a=setup roles, then `check_remote_media`; DidFail
    /// "sdp_negotiation"), connects or waits for the connection and binds
    /// it (DidFail "start"), makes the session and posts DidStart.
    /// Errors: `errc::invalid_argument` when not initialized; those of the
    /// negotiation and the connector; `asio::error::operation_aborted` when
    /// `end` came while connecting.
    asio::awaitable<void> start(SDPMedia remote_media, std::error_code& ec);

    /// Posts WillEnd, shuts the session down (it sends what is queued and
    /// waits for the answers owed, at most the response timeout), releases
    /// the connector and posts DidEnd; does nothing when already ending or
    /// ended. Sets `ec` to the session's shutdown error (see
    /// `MSRPSession::shutdown`).
    ///
    /// These three are what a stream's public object runs from its own
    /// operations (which take completion tokens, see `MSRPChat`): they are
    /// awaited in place, `ec` must outlive them, and the object must be
    /// held (a `shared_ptr`) while they run.
    asio::awaitable<void> end(std::error_code& ec);

    /// The public object goes away: nothing is posted from now on,
    /// `on_stopping` runs, the session closes without calling handlers and
    /// what `prepare` took is released.
    void abandon() noexcept;

    phase current_phase() const noexcept { return phase_; }
    /// Between DidStart and the end, while the session is open.
    bool started() const noexcept;
    bool outgoing() const noexcept { return outgoing_; }
    /// The local media description (after `initialize`).
    const SDPMedia& local_media() const noexcept { return local_media_; }
    /// The session, once started (nullptr before and after).
    MSRPSession* session() noexcept { return session_.get(); }
    const MSRPSession* session() const noexcept { return session_.get(); }
    const asio::any_io_executor& executor() const noexcept { return executor_; }

protected:
    /// `sender`: the public object, the sender of every notification.
    /// `outgoing`: this side offers (and connects).
    MSRPStreamBase(asio::any_io_executor executor, NotificationCenter& center, const void* sender, bool outgoing,
                   stream_settings settings, stream_notification_names names);

    // ---- what a stream kind supplies --------------------------------------

    /// Its part of the local media (called once, by `initialize`).
    virtual stream_media describe_media() const = 0;
    /// Its own checks of the peer's media, after the base's; an error (and
    /// `why`, a sentence) fails the start with "sdp_negotiation".
    virtual std::error_code check_remote_media(const SDPMedia& remote_media, std::string& why) const;
    /// The peer's media passed every check; called before connecting.
    virtual void remote_media_accepted(const SDPMedia& remote_media);
    /// Changes to the session's options beyond `stream_settings::session`
    /// and the accept types.
    virtual void tune_session(session_options& options) const;
    /// The session runs and DidStart is posted: send what waited, start
    /// loops (`spawn`).
    virtual void on_started();
    /// A message arrived (REPORTs too: the session passes them on).
    virtual void on_message(IncomingMessage message) = 0;
    /// The stream stops: stop loops and timers. From `end` after WillEnd,
    /// and from `abandon`.
    virtual void on_stopping() noexcept;
    /// The session is closed and the connector released; DidEnd follows.
    virtual void on_ended();

    // ---- what a stream kind may use -----------------------------------------

    /// Posts `name` from the public object; nothing once abandoned.
    void post(std::string_view name, std::any data = {});
    /// Posts DidFail with `StreamDidFailData`.
    void fail(std::string context, std::string reason, std::error_code ec, std::exception_ptr exception = {});
    /// Runs `loop` on the executor. If it ends with an exception, DidFail
    /// is posted with `context` and the exception's text, code
    /// (`std::system_error`'s, else `std::errc::not_enough_memory` for
    /// `std::bad_alloc` and `std::errc::state_not_recoverable` for others)
    /// and the exception itself; an `operation_aborted` while the stream
    /// ends is the end, not a failure. `loop` must keep what it uses alive
    /// (take the stream's `shared_ptr`).
    void spawn(asio::awaitable<void> loop, std::string context);

    const stream_settings& settings() const noexcept { return settings_; }
    const stream_notification_names& names() const noexcept { return names_; }

private:
    struct loop_end_handler;
    std::error_code negotiate(const SDPMedia& remote_media, std::string& why) const;
    void incoming(IncomingMessage message, std::error_code ec);
    void loop_failed(const std::string& context, std::exception_ptr exception);

    asio::any_io_executor executor_;
    NotificationCenter& center_;
    const void* sender_;
    bool outgoing_;
    stream_settings settings_;
    stream_notification_names names_;

    phase phase_ = phase::created;
    bool abandoned_ = false;
    std::unique_ptr<Connector> connector_;
    SDPMedia local_media_;
    std::unique_ptr<MSRPSession> session_;
};

} // namespace msrp
