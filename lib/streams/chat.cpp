#include <msrp/streams/chat.hpp>

#include <msrp/protocol/accept_types.hpp>
#include <msrp/protocol/error.hpp>
#include <msrp/protocol/random_ident.hpp>
#include <msrp/protocol/setup_role.hpp>
#include <msrp/transport/tls.hpp>

#include "../protocol/ascii.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <deque>

namespace msrp {
namespace detail {

namespace {

using steady = std::chrono::steady_clock;

constexpr std::string_view cpim_type = "message/cpim";

// RFC 7701 §9.2: `a=chatroom:` lists what a chat room endpoint supports;
// `private-messages` says it takes messages for one participant.
bool offers_private_messages(const SDPMedia& media) {
    for (const auto& a : media.attributes) {
        if (!iequals(a.name, "chatroom"))
            continue;
        std::string_view rest = a.value;
        while (!rest.empty()) {
            const auto space = rest.find(' ');
            if (iequals(rest.substr(0, space), "private-messages"))
                return true;
            if (space == std::string_view::npos)
                break;
            rest.remove_prefix(space + 1);
        }
    }
    return false;
}

cpim_datetime now_datetime() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    cpim_datetime dt;
    make_cpim_datetime(ms, 0, dt);
    return dt;
}

} // namespace

struct chat_state : std::enable_shared_from_this<chat_state> {
    /// A message asked for before the chat could send it.
    struct outgoing {
        std::string message_id;
        std::string content;
        std::string content_type;
        std::optional<std::string> to_uri;
        cpim_datetime datetime;
    };

    enum class phase { created, initializing, initialized, starting, started, ending, ended };

    chat_state(asio::any_io_executor ex, NotificationCenter& c, const void* who, ChatIdentity acc, std::string remote,
               bool out, chat_settings s)
        : executor(ex), center(c), sender(who), account(std::move(acc)), remote_uri(std::move(remote)),
          outgoing_side(out), settings(std::move(s)), composer(settings.composing),
          peer_composing(settings.composing), composing_timer(ex) {}

    void post(std::string_view name, std::any data = {}) {
        if (!destroyed)
            center.post(std::string(name), sender, std::move(data));
    }

    void fail(std::string context, std::string reason, std::error_code ec, std::exception_ptr ex = {}) {
        failed = true;
        post(notification::chat_did_fail, ChatDidFailData{std::move(context), std::move(reason), ec, ex});
    }

    // ---- sending -------------------------------------------------------

    bool peer_accepts(std::string_view type) const {
        if (wrap_in_cpim)
            return content_type_accepted(type, remote_wrapped_types) || content_type_accepted(type, remote_accept_types);
        return content_type_accepted(type, remote_accept_types);
    }

    /// Checks what only the peer's media can decide.
    std::error_code check_sendable(const outgoing& m, std::string& why) const {
        if (m.to_uri && *m.to_uri != remote_uri && !(wrap_in_cpim && peer_private)) {
            why = "the peer does not accept private messages";
            return errc::not_supported;
        }
        if (!peer_accepts(m.content_type)) {
            why = "the peer does not accept content of type " + m.content_type;
            return errc::invalid_argument;
        }
        return {};
    }

    OutgoingMessage wire_message(const outgoing& m) const {
        OutgoingMessage out;
        out.message_id = m.message_id;
        if (wrap_in_cpim) {
            cpim_address from{account.display_name, account.uri};
            cpim_address to{{}, m.to_uri.value_or(remote_uri)};
            auto cpim = make_cpim_message(std::move(from), std::move(to), m.datetime,
                                          m.content_type, m.content);
            out.content_type = cpim_type;
            out.data = format_cpim(cpim);
        } else {
            out.content_type = m.content_type;
            out.data = m.content;
        }
        return out;
    }

    /// The chunk `send_message` returns: what the first chunk on the wire
    /// carries (`wire`), with the session's paths once there is a session.
    Chunk describe(const outgoing& m, const OutgoingMessage& wire) const {
        Chunk c;
        c.method = "SEND";
        if (session) {
            c.set_to_path(session->transport().full_remote_path());
            c.set_from_path(session->transport().full_local_path());
        }
        c.set_message_id(m.message_id);
        c.set_byte_range(ByteRange{1, wire.data.size(), wire.data.size()});
        c.set_header("Failure-Report", "partial");
        c.set_header("Success-Report", "yes");
        c.set_content_type(wire.content_type);
        c.data = wire.data;
        c.has_body = !c.data.empty();
        return c;
    }

    void not_delivered(const std::string& message_id, int code, std::string reason, std::error_code ec) {
        Chunk made;
        made.code = code;
        made.comment = reason;
        post(notification::chat_did_not_deliver_message,
             ChatDeliveryData{message_id, code, std::move(reason), std::move(made), ec});
    }

    /// Hands a message to the session; its outcome comes as a notification.
    /// Sets `described` (when given) to the chunk `send_message` returns.
    void send_now(const outgoing& m, Chunk* described = nullptr) {
        std::string why;
        if (const auto refused = check_sendable(m, why)) {
            not_delivered(m.message_id, 0, why, refused);
            return;
        }
        auto wire = wire_message(m);
        if (described)
            *described = describe(m, wire);
        wire.failure_report = "partial";
        wire.success_report = "yes";
        const auto type = m.content_type;
        std::error_code ec;
        session->send_message(std::move(wire), [weak = weak_from_this()](const message_report& r) {
            const auto self = weak.lock();
            if (self && r.final)
                self->message_outcome(r);
        }, ec);
        if (ec) {
            not_delivered(m.message_id, 0, ec.message(), ec);
            return;
        }
        if (const auto doc = composer.message_sent(steady::now()))
            send_composing(*doc);
        post(notification::chat_did_send_message, ChatDidSendMessageData{m.message_id, type});
    }

    void message_outcome(const message_report& r) {
        Chunk told;
        if (r.chunk) {
            told = *r.chunk;
        } else {
            told.code = r.code;
            told.comment = r.comment;
        }
        ChatDeliveryData d{r.message_id, r.code, r.comment, std::move(told), r.error};
        post(r.code == 200 && !r.error ? notification::chat_did_deliver_message
                                       : notification::chat_did_not_deliver_message,
             std::move(d));
    }

    void send_composing(const IsComposing& doc) {
        if (!session || !session->is_open() || !peer_takes_composing)
            return;
        outgoing m;
        m.message_id = random_ident();
        m.content_type = std::string(iscomposing_content_type);
        m.content = format_iscomposing(doc);
        m.datetime = now_datetime();
        auto wire = wire_message(m);
        // RFC 3994 §3: the indication is a hint; nobody needs to hear of
        // its fate, and it must not hold up the chat's own reports.
        wire.failure_report = "no";
        wire.success_report = "no";
        std::error_code ec;
        session->send_message(std::move(wire), {}, ec);
        reschedule_composing();
    }

    Chunk send(std::string content, std::string content_type, std::optional<std::string> to_uri,
               std::optional<cpim_datetime> datetime, std::error_code& ec, std::string& why) {
        ec.clear();
        if (current == phase::ending || current == phase::ended || (current == phase::started && !session->is_open())) {
            ec = errc::session_closed;
            why = "the chat has ended";
            return {};
        }
        // The time is fixed now, so the chunk returned is the one sent.
        outgoing m{random_ident(), std::move(content), std::move(content_type), std::move(to_uri),
                   datetime ? std::move(*datetime) : now_datetime()};
        if (current != phase::started) {
            if (queued.size() >= settings.max_queued_messages) {
                ec = errc::queue_full;
                why = "too many messages wait for the chat to start";
                return {};
            }
            // The wrapper is chosen at the start: until then the chunk shows
            // the content as given.
            Chunk described = describe(m, wire_message(m));
            queued.push_back(std::move(m));
            return described;
        }
        if ((ec = check_sendable(m, why)))
            return {};
        Chunk described;
        send_now(m, &described);
        return described;
    }

    // ---- receiving -----------------------------------------------------

    void incoming(IncomingMessage m, std::error_code ec) {
        if (ec) {
            if (current == phase::started) {
                const bool eof = ec == asio::error::eof;
                fail("reading", eof ? "the peer closed the connection" : ec.message(), ec);
            }
            return;
        }
        // Delivery is told through each message's report handler.
        if (m.method == "REPORT")
            return;
        // An aborted or cut-off message has no content to show; its sender
        // hears of it from the session.
        if (!m.complete())
            return;
        const auto now = steady::now();
        std::string type = m.content_type().value_or("");
        std::string content = m.data;
        std::optional<CPIMMessage> envelope;
        if (iequals(type, cpim_type)) {
            CPIMMessage cpim;
            if (const auto bad = parse_cpim(m.data, cpim)) {
                post(notification::chat_got_invalid_message, ChatGotInvalidMessageData{bad, std::move(m)});
                return;
            }
            type = std::string(cpim.content_type());
            content = std::move(cpim.body);
            cpim.body.clear();
            envelope = std::move(cpim);
        }
        if (iequals(type, iscomposing_content_type)) {
            IsComposing doc;
            if (const auto bad = parse_iscomposing(content, doc)) {
                post(notification::chat_got_invalid_message, ChatGotInvalidMessageData{bad, std::move(m)});
                return;
            }
            if (peer_composing.received(doc, now))
                post_peer_composing(doc.content_type, doc.last_active, doc.refresh);
            reschedule_composing();
            return;
        }
        // RFC 3994 §4.3: a message ends the peer's composing.
        if (peer_composing.message_received(now)) {
            post_peer_composing({}, std::nullopt, std::nullopt);
            reschedule_composing();
        }
        post(notification::chat_got_message,
             ChatGotMessageData{std::move(content), std::move(type), std::move(envelope), std::move(m)});
    }

    void post_peer_composing(std::string content_type, std::optional<std::string> last_active,
                             std::optional<std::uint32_t> refresh) {
        post(notification::chat_got_composing_indication,
             ChatComposingData{peer_composing.state(), std::move(content_type), std::move(last_active), refresh});
    }

    // ---- is-composing timers ---------------------------------------------

    void reschedule_composing() {
        if (composing_running)
            composing_timer.cancel();
    }

    asio::awaitable<void> composing_loop() {
        const auto self = shared_from_this();
        while (!composing_stopped) {
            auto next = steady::time_point::max();
            if (const auto d = composer.next_deadline())
                next = std::min(next, *d);
            if (const auto d = peer_composing.next_deadline())
                next = std::min(next, *d);
            composing_timer.expires_at(next);
            co_await composing_timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            if (composing_stopped)
                break;
            const auto now = steady::now();
            if (const auto doc = composer.tick(now))
                send_composing(*doc);
            if (peer_composing.tick(now))
                post_peer_composing({}, std::nullopt, std::nullopt);
        }
        composing_running = false;
    }

    void stop_composing() {
        composing_stopped = true;
        composing_timer.cancel();
    }

    asio::any_io_executor executor;
    NotificationCenter& center;
    const void* sender;
    ChatIdentity account;
    std::string remote_uri;
    bool outgoing_side;
    chat_settings settings;

    phase current = phase::created;
    bool failed = false;
    bool destroyed = false;
    std::unique_ptr<Connector> connector;
    SDPMedia local_media;
    std::unique_ptr<MSRPSession> session;
    std::deque<outgoing> queued;

    // What the peer's media says.
    std::vector<std::string> remote_accept_types;
    std::vector<std::string> remote_wrapped_types;
    bool wrap_in_cpim = false;
    bool peer_private = false;
    bool peer_takes_composing = false;

    composing_sender composer;
    composing_receiver peer_composing;
    asio::steady_timer composing_timer;
    bool composing_running = false;
    bool composing_stopped = false;
};

} // namespace detail

using detail::chat_state;

MSRPChat::MSRPChat(asio::any_io_executor executor, NotificationCenter& center, ChatIdentity account,
                   std::string remote_uri, bool outgoing, chat_settings settings)
    : state_(std::make_shared<chat_state>(executor, center, this, std::move(account), std::move(remote_uri), outgoing,
                                          std::move(settings))) {}

MSRPChat::~MSRPChat() {
    auto& st = *state_;
    st.destroyed = true;
    st.stop_composing();
    st.session.reset(); // closes; no handler runs after this
    if (st.connector)
        st.connector->cleanup();
}

asio::awaitable<void> MSRPChat::initialize(std::error_code& ec) {
    const auto st = state_;
    ec.clear();
    if (st->current != chat_state::phase::created) {
        ec = errc::invalid_argument;
        co_return;
    }
    st->current = chat_state::phase::initializing;
    try {
        // RFC 4975 §5.4: the offerer connects; the side that answers listens.
        st->connector = st->outgoing_side
                            ? get_connector(st->executor, st->settings.relay, st->settings.logger, st->settings.connect)
                            : get_acceptor(st->executor, st->settings.relay, st->settings.logger, st->settings.connect);
    } catch (const std::system_error& e) {
        ec = e.code();
        st->fail("initialize", e.what(), ec, std::current_exception());
        co_return;
    }
    URI local = st->settings.local_uri;
    const Path path = co_await st->connector->prepare(local, ec);
    if (ec) {
        st->fail("initialize", "cannot prepare the MSRP connection: " + ec.message(), ec);
        st->connector->cleanup();
        co_return;
    }
    SDPMedia media = make_msrp_media(path, st->settings.accept_types, st->settings.accept_wrapped_types);
    media.port = local.effective_port();
    media.transport = local.use_tls ? "TCP/TLS/MSRP" : "TCP/MSRP";
    SDPConnection c;
    c.addr_type = local.host.find(':') != std::string::npos ? "IP6" : "IP4";
    c.address = local.host;
    media.connection_data = c;
    // RFC 6135: this side's role, as the connector or acceptor does it.
    media.setup = st->outgoing_side ? "active" : "passive";
    if (st->settings.max_message_bytes > 0)
        media.max_size = st->settings.max_message_bytes;
    if (st->settings.private_messages)
        media.attributes.push_back(SDPAttribute{"chatroom", "private-messages", true});
    if (local.use_tls) {
        const auto& creds = st->settings.connect.tls.local ? *st->settings.connect.tls.local : tls::default_credentials();
        media.fingerprint = tls::fingerprint(creds.certificate_pem);
    }
    st->local_media = std::move(media);
    st->current = chat_state::phase::initialized;
    st->post(notification::chat_did_initialize, ChatDidInitializeData{st->local_media});
}

asio::awaitable<void> MSRPChat::initialize() {
    std::error_code ec;
    co_await initialize(ec);
    if (ec)
        throw std::system_error(ec, "MSRPChat::initialize");
}

asio::awaitable<void> MSRPChat::start(const SDPMedia& remote_media, std::error_code& ec) {
    const auto st = state_;
    ec.clear();
    if (st->current != chat_state::phase::initialized) {
        ec = errc::invalid_argument;
        co_return;
    }
    st->current = chat_state::phase::starting;
    // What both sides' media must agree on before connecting.
    setup_role role{};
    std::string why;
    if (remote_media.uses_tls() != st->local_media.uses_tls()) {
        ec = errc::unsupported_transport;
        why = "the peer offers " + remote_media.transport + " and this side " + st->local_media.transport;
    } else if (remote_media.path.empty() && st->outgoing_side) {
        ec = errc::missing_sdp_path;
        why = "the peer's media has no a=path";
    } else {
        const bool we_offered = st->outgoing_side;
        const std::string& offer = we_offered ? st->local_media.setup : remote_media.setup;
        const std::string& answer = we_offered ? remote_media.setup : st->local_media.setup;
        ec = negotiate_setup(we_offered, offer, answer, role);
        if (!ec && (role == setup_role::active) != st->outgoing_side)
            ec = errc::invalid_argument;
        if (ec)
            why = "a=setup roles do not fit: this side is " + st->local_media.setup + ", the peer " +
                  (remote_media.setup.empty() ? std::string("says nothing") : remote_media.setup);
    }
    if (ec) {
        st->current = chat_state::phase::initialized;
        st->fail("sdp_negotiation", why, ec);
        co_return;
    }
    st->remote_accept_types = remote_media.accept_types;
    st->remote_wrapped_types = remote_media.accept_wrapped_types;
    st->wrap_in_cpim = false;
    for (const auto& t : remote_media.accept_types)
        if (detail::iequals(t, "message/cpim") || detail::iequals(t, "message/*"))
            st->wrap_in_cpim = true;
    st->peer_private = detail::offers_private_messages(remote_media);
    st->peer_takes_composing = st->peer_accepts(iscomposing_content_type);

    if (remote_media.uses_tls())
        st->connector->options().tls.expected_peer_fingerprint = remote_media.fingerprint;
    auto transport = co_await st->connector->complete(remote_media.path, ec);
    if (st->current != chat_state::phase::starting) {
        // end() came while connecting.
        if (transport)
            transport->close();
        ec = asio::error::operation_aborted;
        co_return;
    }
    if (ec) {
        st->current = chat_state::phase::initialized;
        st->fail("start", "cannot connect the MSRP session: " + ec.message(), ec);
        co_return;
    }
    session_options options = st->settings.session;
    options.accept_types = st->settings.accept_types;
    options.receive.max_message_bytes = st->settings.max_message_bytes;
    options.receive.max_whole_message_bytes = st->settings.max_message_bytes;
    st->session = std::make_unique<MSRPSession>(
        std::move(transport), std::move(options), [weak = std::weak_ptr(st)](IncomingMessage m, std::error_code e) {
            if (const auto self = weak.lock())
                self->incoming(std::move(m), e);
        });
    st->current = chat_state::phase::started;
    st->post(notification::chat_did_start);
    auto queued = std::move(st->queued);
    st->queued.clear();
    for (const auto& m : queued)
        st->send_now(m);
    st->composing_running = true;
    asio::co_spawn(st->executor, st->composing_loop(), asio::detached);
}

asio::awaitable<void> MSRPChat::start(const SDPMedia& remote_media) {
    std::error_code ec;
    co_await start(remote_media, ec);
    if (ec)
        throw std::system_error(ec, "MSRPChat::start");
}

asio::awaitable<void> MSRPChat::end() {
    const auto st = state_;
    if (st->current == chat_state::phase::ending || st->current == chat_state::phase::ended)
        co_return;
    st->post(notification::chat_will_end);
    st->current = chat_state::phase::ending;
    st->stop_composing();
    if (st->session) {
        co_await st->session->shutdown();
        st->session.reset();
    }
    if (st->connector)
        st->connector->cleanup();
    auto never_sent = std::move(st->queued);
    st->queued.clear();
    for (const auto& m : never_sent)
        st->not_delivered(m.message_id, 0, "the chat ended before it started", errc::session_closed);
    st->current = chat_state::phase::ended;
    st->post(notification::chat_did_end);
}

Chunk MSRPChat::send_message(std::string content, std::string content_type, std::optional<std::string> to_uri,
                             std::optional<cpim_datetime> datetime, std::error_code& ec) {
    std::string why;
    return state_->send(std::move(content), std::move(content_type), std::move(to_uri), std::move(datetime), ec, why);
}

Chunk MSRPChat::send_message(std::string content, std::string content_type, std::optional<std::string> to_uri,
                             std::optional<cpim_datetime> datetime) {
    std::error_code ec;
    std::string why;
    auto chunk =
        state_->send(std::move(content), std::move(content_type), std::move(to_uri), std::move(datetime), ec, why);
    if (ec)
        throw MSRPChatError(ec, why);
    return chunk;
}

void MSRPChat::typing() {
    auto& st = *state_;
    if (st.current != chat_state::phase::started)
        return;
    if (const auto doc = st.composer.typed(std::chrono::steady_clock::now()))
        st.send_composing(*doc);
    st.reschedule_composing();
}

composing_state MSRPChat::local_composing_state() const noexcept { return state_->composer.state(); }
composing_state MSRPChat::remote_composing_state() const noexcept { return state_->peer_composing.state(); }
const SDPMedia& MSRPChat::local_media() const noexcept { return state_->local_media; }
const ChatIdentity& MSRPChat::account() const noexcept { return state_->account; }
const std::string& MSRPChat::remote_uri() const noexcept { return state_->remote_uri; }
bool MSRPChat::outgoing() const noexcept { return state_->outgoing_side; }
bool MSRPChat::started() const noexcept {
    return state_->current == chat_state::phase::started && state_->session && state_->session->is_open();
}
std::size_t MSRPChat::queued_messages() const noexcept { return state_->queued.size(); }
MSRPSession* MSRPChat::session() noexcept { return state_->session.get(); }

} // namespace msrp
