#include <msrp/streams/stream_base.hpp>

#include <msrp/protocol/error.hpp>
#include <msrp/protocol/setup_role.hpp>
#include <msrp/transport/tls.hpp>

#include <asio/co_spawn.hpp>
#include <asio/error.hpp>

#include <new>
#include <stdexcept>

namespace msrp {

void expect_first_hop_certificate(tls::settings& tls, const SDPMedia& remote_media,
                                  const std::optional<relay_settings>& relay) {
    if (!remote_media.uses_tls() || relay)
        return;
    tls.expected_peer_fingerprint = remote_media.fingerprint;
}

/// Hands a loop's exception to its stream; keeps the stream alive until
/// the loop has ended (the loop does too).
struct MSRPStreamBase::loop_end_handler {
    std::shared_ptr<MSRPStreamBase> stream;
    std::string context;

    void operator()(std::exception_ptr exception) const {
        if (exception)
            stream->loop_failed(context, exception);
    }
};

MSRPStreamBase::MSRPStreamBase(asio::any_io_executor executor, NotificationCenter& center, const void* sender,
                               bool outgoing, stream_settings settings, stream_notification_names names)
    : executor_(std::move(executor)), center_(center), sender_(sender), outgoing_(outgoing),
      settings_(std::move(settings)), names_(names) {}

MSRPStreamBase::~MSRPStreamBase() = default;

bool MSRPStreamBase::started() const noexcept {
    return phase_ == phase::started && session_ && session_->is_open();
}

std::error_code MSRPStreamBase::check_remote_media(const SDPMedia&, std::string&) const { return {}; }
void MSRPStreamBase::remote_media_accepted(const SDPMedia&) {}
void MSRPStreamBase::tune_session(session_options&) const {}
void MSRPStreamBase::on_started() {}
void MSRPStreamBase::on_stopping() noexcept {}
void MSRPStreamBase::on_ended() {}

void MSRPStreamBase::post(std::string_view name, std::any data) {
    if (!abandoned_)
        center_.post(std::string(name), sender_, std::move(data));
}

void MSRPStreamBase::fail(std::string context, std::string reason, std::error_code ec, std::exception_ptr exception) {
    post(names_.did_fail, StreamDidFailData{std::move(context), std::move(reason), ec, std::move(exception)});
}

void MSRPStreamBase::spawn(asio::awaitable<void> loop, std::string context) {
    asio::co_spawn(executor_, std::move(loop), loop_end_handler{shared_from_this(), std::move(context)});
}

void MSRPStreamBase::loop_failed(const std::string& context, std::exception_ptr exception) {
    std::error_code ec;
    std::string reason;
    try {
        std::rethrow_exception(exception);
    } catch (const std::system_error& e) {
        ec = e.code();
        reason = e.what();
    } catch (const std::bad_alloc& e) {
        ec = std::make_error_code(std::errc::not_enough_memory);
        reason = e.what();
    } catch (const std::exception& e) {
        ec = std::make_error_code(std::errc::state_not_recoverable);
        reason = e.what();
    } catch (...) {
        ec = std::make_error_code(std::errc::state_not_recoverable);
        reason = "the " + context + " loop stopped on an unknown exception";
    }
    // A loop that awaits with use_awaitable throws this when `end` cancels it.
    if (ec == asio::error::operation_aborted && (phase_ == phase::ending || phase_ == phase::ended))
        return;
    fail(context, std::move(reason), ec, std::move(exception));
}

asio::awaitable<void> MSRPStreamBase::initialize(std::error_code& ec) {
    const auto self = shared_from_this();
    ec.clear();
    if (phase_ != phase::created) {
        ec = errc::invalid_argument;
        co_return;
    }
    phase_ = phase::initializing;
    try {
        // RFC 4975 §5.4: the offerer connects; the side that answers listens.
        connector_ = outgoing_ ? get_connector(executor_, settings_.relay, settings_.logger, settings_.connect)
                               : get_acceptor(executor_, settings_.relay, settings_.logger, settings_.connect);
    } catch (const std::system_error& e) {
        ec = e.code();
        fail("initialize", e.what(), ec, std::current_exception());
        co_return;
    }
    const Path path = co_await connector_->prepare(settings_.local_uri, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        fail("initialize", "cannot prepare the MSRP connection: " + ec.message(), ec);
        connector_->cleanup();
        co_return;
    }
    const URI local = *connector_->local_uri();
    stream_media own = describe_media();
    SDPMedia media = make_msrp_media(path, std::move(own.accept_types), std::move(own.accept_wrapped_types));
    media.media = std::move(own.media);
    // The port and address are the ones listened on or connected from,
    // which `prepare` filled in.
    media.port = local.effective_port();
    media.transport = local.use_tls ? "TCP/TLS/MSRP" : "TCP/MSRP";
    SDPConnection c;
    c.addr_type = local.host.find(':') != std::string::npos ? "IP6" : "IP4";
    c.address = local.host;
    media.connection_data = c;
    // RFC 6135: this side's role, as the connector or acceptor does it.
    media.setup = outgoing_ ? "active" : "passive";
    media.max_size = own.max_size;
    media.direction = std::move(own.direction);
    media.attributes = std::move(own.attributes);
    if (local.use_tls) {
        try {
            const auto& creds = settings_.connect.tls.local ? *settings_.connect.tls.local : tls::default_credentials();
            media.fingerprint = tls::fingerprint(creds.certificate_pem);
        } catch (const std::system_error& e) {
            ec = e.code();
            fail("initialize", e.what(), ec, std::current_exception());
            connector_->cleanup();
            co_return;
        }
    }
    local_media_ = std::move(media);
    phase_ = phase::initialized;
    post(names_.did_initialize, StreamDidInitializeData{local_media_});
}

std::error_code MSRPStreamBase::negotiate(const SDPMedia& remote_media, std::string& why) const {
    std::error_code ec;
    if (remote_media.uses_tls() != local_media_.uses_tls()) {
        ec = errc::unsupported_transport;
        why = "the peer offers " + remote_media.transport + " and this side " + local_media_.transport;
    } else if (remote_media.path.empty() && outgoing_) {
        ec = errc::missing_sdp_path;
        why = "the peer's media has no a=path";
    } else {
        const bool we_offered = outgoing_;
        const std::string& offer = we_offered ? local_media_.setup : remote_media.setup;
        const std::string& answer = we_offered ? remote_media.setup : local_media_.setup;
        setup_role role{};
        ec = negotiate_setup(we_offered, offer, answer, role);
        // The connector was chosen at `initialize`: the roles must match it.
        if (!ec && (role == setup_role::active) != outgoing_)
            ec = errc::invalid_argument;
        if (ec)
            why = "a=setup roles do not fit: this side is " + local_media_.setup + ", the peer " +
                  (remote_media.setup.empty() ? std::string("says nothing") : remote_media.setup);
    }
    return ec;
}

asio::awaitable<void> MSRPStreamBase::start(SDPMedia remote_media, std::error_code& ec) {
    const auto self = shared_from_this();
    ec.clear();
    if (phase_ != phase::initialized) {
        ec = errc::invalid_argument;
        co_return;
    }
    phase_ = phase::starting;
    std::string why;
    ec = negotiate(remote_media, why);
    if (!ec)
        ec = check_remote_media(remote_media, why);
    if (ec) {
        phase_ = phase::initialized;
        fail("sdp_negotiation", why, ec);
        co_return;
    }
    remote_media_accepted(remote_media);

    expect_first_hop_certificate(connector_->options().tls, remote_media, settings_.relay);
    auto transport = co_await connector_->complete(remote_media.path, asio::redirect_error(asio::use_awaitable, ec));
    if (phase_ != phase::starting || abandoned_) {
        // end() came while connecting, or the stream's owner went away.
        if (transport)
            transport->close();
        ec = asio::error::operation_aborted;
        co_return;
    }
    if (ec) {
        phase_ = phase::initialized;
        fail("start", "cannot connect the MSRP session: " + ec.message(), ec);
        co_return;
    }
    session_options options = settings_.session;
    options.accept_types = local_media_.accept_types;
    tune_session(options);
    session_ = std::make_unique<MSRPSession>(
        std::move(transport), std::move(options),
        [weak = weak_from_this()](IncomingMessage m, std::error_code e) {
            if (const auto stream = weak.lock())
                stream->incoming(std::move(m), e);
        });
    phase_ = phase::started;
    post(names_.did_start);
    on_started();
}

void MSRPStreamBase::incoming(IncomingMessage message, std::error_code ec) {
    if (ec) {
        if (phase_ == phase::started) {
            const bool eof = ec == asio::error::eof;
            fail("reading", eof ? "the peer closed the connection" : ec.message(), ec);
        }
        return;
    }
    on_message(std::move(message));
}

asio::awaitable<void> MSRPStreamBase::end(std::error_code& ec) {
    const auto self = shared_from_this();
    ec.clear();
    if (phase_ == phase::ending || phase_ == phase::ended)
        co_return;
    post(names_.will_end);
    phase_ = phase::ending;
    on_stopping();
    if (session_) {
        // A session that ended before (the peer left, the connection broke)
        // was reported then, as DidFail "reading".
        if (session_->is_open()) {
            auto shutdown = session_->shutdown(asio::redirect_error(asio::use_awaitable, ec));
            co_await std::move(shutdown);
        }
        session_.reset();
    }
    if (connector_)
        connector_->cleanup();
    on_ended();
    phase_ = phase::ended;
    post(names_.did_end);
}

void MSRPStreamBase::abandon() noexcept {
    abandoned_ = true;
    on_stopping();
    session_.reset(); // closes; no handler runs after this
    if (connector_)
        connector_->cleanup();
}

} // namespace msrp
