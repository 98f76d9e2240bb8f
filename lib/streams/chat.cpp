#include <msrp/streams/chat.hpp>

#include <msrp/protocol/accept_types.hpp>
#include <msrp/protocol/error.hpp>
#include <msrp/protocol/random_ident.hpp>
#include <msrp/streams/stream_base.hpp>

#include "../detail/ascii.hpp"
#include "../detail/coroutine_helpers.hpp"

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

/// The chat's lifecycle notifications, posted by its stream base.
constexpr stream_notification_names chat_names{notification::chat_did_initialize, notification::chat_did_start,
                                               notification::chat_will_end, notification::chat_did_end,
                                               notification::chat_did_fail};

/// The part of a chat's settings its stream base owns.
stream_settings connection_settings(const chat_settings& s) {
    return {s.local_uri, s.relay, s.connect, s.session, s.logger};
}

/// What the chat itself reads of its settings (the rest is the base's).
struct chat_rules {
    std::vector<std::string> accept_types;
    std::vector<std::string> accept_wrapped_types;
    std::size_t max_message_bytes;
    std::size_t max_queued_messages;
    bool private_messages;
};

chat_rules rules_of(chat_settings& s) {
    return {std::move(s.accept_types), std::move(s.accept_wrapped_types), s.max_message_bytes,
            s.max_queued_messages, s.private_messages};
}

} // namespace

struct chat_state final : MSRPStreamBase {
    /// A message asked for before the chat could send it.
    struct chat_message {
        std::string message_id;
        std::string content;
        std::string content_type;
        std::optional<std::string> to_uri;
        cpim_datetime datetime;
    };

    chat_state(asio::any_io_executor ex, NotificationCenter& c, const void* who, ChatIdentity acc, std::string remote,
               bool out, chat_settings s)
        : MSRPStreamBase(ex, c, who, out, connection_settings(s), chat_names), account(std::move(acc)),
          remote_uri(std::move(remote)), rules(rules_of(s)), composer(s.composing), peer_composing(s.composing),
          composing_timer(ex) {}

    std::shared_ptr<chat_state> self() { return std::static_pointer_cast<chat_state>(shared_from_this()); }

    // ---- the stream's hooks -----------------------------------------------

    stream_media describe_media() const override {
        stream_media m;
        m.accept_types = rules.accept_types;
        m.accept_wrapped_types = rules.accept_wrapped_types;
        if (rules.max_message_bytes > 0)
            m.max_size = rules.max_message_bytes;
        if (rules.private_messages)
            m.attributes.push_back(SDPAttribute{"chatroom", "private-messages", true});
        return m;
    }

    void remote_media_accepted(const SDPMedia& remote_media) override {
        remote_accept_types = remote_media.accept_types;
        remote_wrapped_types = remote_media.accept_wrapped_types;
        wrap_in_cpim = false;
        for (const auto& t : remote_media.accept_types)
            if (iequals(t, cpim_type) || iequals(t, "message/*"))
                wrap_in_cpim = true;
        peer_private = offers_private_messages(remote_media);
        peer_takes_composing = peer_accepts(iscomposing_content_type);
    }

    void tune_session(session_options& options) const override {
        // Chat messages are delivered whole.
        options.receive.max_message_bytes = rules.max_message_bytes;
        options.receive.max_whole_message_bytes = rules.max_message_bytes;
    }

    void on_started() override {
        auto waiting = std::move(queued);
        queued.clear();
        for (const auto& m : waiting)
            send_now(m);
        composing_running = true;
        spawn(composing_loop(self()), "composing");
    }

    void on_stopping() noexcept override { stop_composing(); }

    void on_ended() override {
        auto never_sent = std::move(queued);
        queued.clear();
        for (const auto& m : never_sent)
            not_delivered(m.message_id, 0, "the chat ended before it started", errc::session_closed);
    }

    // ---- sending -------------------------------------------------------

    bool peer_accepts(std::string_view type) const {
        if (wrap_in_cpim)
            return content_type_accepted(type, remote_wrapped_types) || content_type_accepted(type, remote_accept_types);
        return content_type_accepted(type, remote_accept_types);
    }

    /// Checks what only the peer's media can decide.
    std::error_code check_sendable(const chat_message& m, std::string& why) const {
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

    OutgoingMessage wire_message(const chat_message& m) const {
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
    Chunk describe(const chat_message& m, const OutgoingMessage& wire) {
        Chunk c;
        c.method = "SEND";
        if (auto* s = session()) {
            c.set_to_path(s->transport().full_remote_path());
            c.set_from_path(s->transport().full_local_path());
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
    void send_now(const chat_message& m, Chunk* described = nullptr) {
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
        session()->send_message(std::move(wire), [weak = std::weak_ptr(self())](const message_report& r) {
            const auto chat = weak.lock();
            if (chat && r.final)
                chat->message_outcome(r);
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
        if (!session() || !session()->is_open() || !peer_takes_composing)
            return;
        chat_message m;
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
        session()->send_message(std::move(wire), {}, ec);
        reschedule_composing();
    }

    Chunk send(std::string content, std::string content_type, std::optional<std::string> to_uri,
               std::optional<cpim_datetime> datetime, std::error_code& ec, std::string& why) {
        ec.clear();
        const auto current = current_phase();
        if (current == phase::ending || current == phase::ended || (current == phase::started && !session()->is_open())) {
            ec = errc::session_closed;
            why = "the chat has ended";
            return {};
        }
        // The time is fixed now, so the chunk returned is the one sent.
        chat_message m{random_ident(), std::move(content), std::move(content_type), std::move(to_uri),
                       datetime ? std::move(*datetime) : now_datetime()};
        if (current != phase::started) {
            if (queued.size() >= rules.max_queued_messages) {
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

    void on_message(IncomingMessage m) override {
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

    /// Sends the refreshes and idle indications due and expires the
    /// peer's state; woken early by `reschedule_composing`.
    static asio::awaitable<void> composing_loop(std::shared_ptr<chat_state> self) {
        auto& st = *self;
        while (!st.composing_stopped) {
            auto next = steady::time_point::max();
            if (const auto d = st.composer.next_deadline())
                next = std::min(next, *d);
            if (const auto d = st.peer_composing.next_deadline())
                next = std::min(next, *d);
            st.composing_timer.expires_at(next);
            co_await st.composing_timer.async_wait(as_tuple_awaitable);
            if (st.composing_stopped)
                break;
            const auto now = steady::now();
            if (const auto doc = st.composer.tick(now))
                st.send_composing(*doc);
            if (st.peer_composing.tick(now))
                st.post_peer_composing({}, std::nullopt, std::nullopt);
        }
        st.composing_running = false;
    }

    void stop_composing() {
        composing_stopped = true;
        composing_timer.cancel();
    }

    ChatIdentity account;
    std::string remote_uri;
    chat_rules rules;

    std::deque<chat_message> queued;

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
    : executor_(executor),
      state_(std::make_shared<chat_state>(executor, center, this, std::move(account), std::move(remote_uri), outgoing,
                                          std::move(settings))) {}

// The state lives on while coroutines and handlers hold it; from here on
// it posts nothing and calls no handler.
MSRPChat::~MSRPChat() { state_->abandon(); }

asio::awaitable<void> MSRPChat::run_initialize(std::shared_ptr<chat_state> st, std::error_code& ec) {
    co_await st->initialize(ec);
}

asio::awaitable<void> MSRPChat::run_start(std::shared_ptr<chat_state> st, SDPMedia remote_media,
                                          std::error_code& ec) {
    co_await st->start(std::move(remote_media), ec);
}

asio::awaitable<void> MSRPChat::run_end(std::shared_ptr<chat_state> st, std::error_code& ec) {
    co_await st->end(ec);
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
    if (st.current_phase() != chat_state::phase::started)
        return;
    if (const auto doc = st.composer.typed(std::chrono::steady_clock::now()))
        st.send_composing(*doc);
    st.reschedule_composing();
}

composing_state MSRPChat::local_composing_state() const noexcept { return state_->composer.state(); }
composing_state MSRPChat::remote_composing_state() const noexcept { return state_->peer_composing.state(); }
const SDPMedia& MSRPChat::local_media() const noexcept { return state_->local_media(); }
const ChatIdentity& MSRPChat::account() const noexcept { return state_->account; }
const std::string& MSRPChat::remote_uri() const noexcept { return state_->remote_uri; }
bool MSRPChat::outgoing() const noexcept { return state_->outgoing(); }
bool MSRPChat::started() const noexcept { return state_->started(); }
std::size_t MSRPChat::queued_messages() const noexcept { return state_->queued.size(); }
MSRPSession* MSRPChat::session() noexcept { return state_->session(); }

} // namespace msrp
