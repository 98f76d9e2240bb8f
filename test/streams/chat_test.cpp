// MSRPChat: two chats over loopback, the outgoing side connecting and the
// incoming side listening, observed through their notifications.

#include "../support/session_helpers.hpp"
#include "../support/io_test.hpp"

#include <msrp/streams/chat.hpp>

#include <asio/experimental/awaitable_operators.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using msrp::errc;
namespace note = msrp::notification;

namespace {

/// Everything one chat posted, in order.
struct chat_log {
    std::vector<msrp::Notification> posted;
    msrp::NotificationCenter::Subscription sub;

    void watch(msrp::NotificationCenter& center, const msrp::MSRPChat& chat) {
        sub = center.add_observer([this](const msrp::Notification& n) { posted.push_back(n); }, {}, &chat);
    }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& n : posted)
            out.push_back(n.name);
        return out;
    }
    std::size_t count(std::string_view name) const {
        return std::count_if(posted.begin(), posted.end(), [&](const auto& n) { return n.name == name; });
    }
    template <class T>
    std::vector<T> all(std::string_view name) const {
        std::vector<T> out;
        for (const auto& n : posted)
            if (n.name == name)
                out.push_back(*n.data_as<T>());
        return out;
    }
    /// The names without the ones in `skip`, to check an order.
    std::vector<std::string> names_without(std::initializer_list<std::string_view> skip) const {
        std::vector<std::string> out;
        for (const auto& n : posted)
            if (std::find(skip.begin(), skip.end(), n.name) == skip.end())
                out.push_back(n.name);
        return out;
    }
};

msrp::chat_settings local_settings() {
    msrp::chat_settings s;
    s.local_uri.host = "127.0.0.1";
    s.session.response_timeout = 2s;
    return s;
}

const msrp::ChatIdentity alice{"sip:alice@example.com", "Alice"};
const msrp::ChatIdentity bob{"sip:bob@example.com", "Bob"};

/// Both chats' start() at once: the outgoing side connects while the
/// incoming side waits for it.
asio::awaitable<void> start_both(msrp::MSRPChat& out, const msrp::SDPMedia& out_remote, msrp::MSRPChat& in,
                                 const msrp::SDPMedia& in_remote) {
    using namespace asio::experimental::awaitable_operators;
    co_await (out.start(out_remote) && in.start(in_remote));
}

/// Initializes both chats, then starts each on the other's media.
asio::awaitable<void> initialize_and_start(msrp::MSRPChat& out, msrp::MSRPChat& in) {
    co_await out.initialize();
    co_await in.initialize();
    co_await start_both(out, in.local_media(), in, out.local_media());
}

/// Starts the outgoing `chat` against a bare acceptor that binds and then
/// does only what the test makes it do with `accepted.transport`.
asio::awaitable<void> start_with_bare_peer(msrp::MSRPChat& chat, msrp::test::completion& accepted) {
    using namespace asio::experimental::awaitable_operators;
    const auto executor = co_await asio::this_coro::executor;
    msrp::AcceptorDirect peer(executor);
    msrp::URI peer_uri;
    peer_uri.host = "127.0.0.1";
    const auto peer_path = co_await peer.prepare(peer_uri);
    auto peer_media = msrp::make_msrp_media(peer_path, {"*"});
    peer_media.setup = "passive";
    const auto chat_path = chat.local_media().path;
    co_await (chat.start(peer_media) && msrp::test::complete_into(peer, chat_path, accepted));
}

std::string cpim_from(const msrp::ChatGotMessageData& d) {
    return d.cpim_headers && d.cpim_headers->from ? d.cpim_headers->from->uri : std::string();
}

} // namespace

TEST_CASE("chat: the full notification sequence on both sides, CPIM-wrapped messages and delivery", "[chat]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        msrp::MSRPChat a(ctx.get_executor(), center, alice, bob.uri, true, local_settings());
        msrp::MSRPChat b(ctx.get_executor(), center, bob, alice.uri, false, local_settings());
        chat_log la, lb;
        la.watch(center, a);
        lb.watch(center, b);

        co_await a.initialize();
        co_await b.initialize();
        REQUIRE_EVENTUALLY(la.count(note::chat_did_initialize) == 1 && lb.count(note::chat_did_initialize) == 1);
        const auto media_a = la.all<msrp::ChatDidInitializeData>(note::chat_did_initialize)[0].sdpmedia;
        const auto media_b = lb.all<msrp::ChatDidInitializeData>(note::chat_did_initialize)[0].sdpmedia;
        CHECK(media_a.setup == "active");
        CHECK(media_b.setup == "passive");
        CHECK(media_b.port != 0);
        CHECK(media_b.port == media_b.path.back().port);
        CHECK(media_a.transport == "TCP/MSRP");
        CHECK(std::find(media_b.accept_types.begin(), media_b.accept_types.end(), "message/cpim") !=
              media_b.accept_types.end());
        // What goes into SDP parses back to the same media.
        msrp::SDPMedia reparsed;
        REQUIRE_FALSE(msrp::parse_sdp_media(msrp::format_sdp_media(media_b), reparsed));
        CHECK(reparsed == media_b);

        co_await start_both(a, media_b, b, media_a);
        CHECK(a.started());
        CHECK(b.started());

        const auto sent = a.send_message("Hello Bob");
        const auto id = sent.message_id().value_or("");
        CHECK_FALSE(id.empty());
        CHECK(sent.content_type() == "message/cpim");
        REQUIRE_EVENTUALLY(lb.count(note::chat_got_message) == 1 && la.count(note::chat_did_deliver_message) == 1);
        const auto got = lb.all<msrp::ChatGotMessageData>(note::chat_got_message)[0];
        CHECK(got.content == "Hello Bob");
        CHECK(got.content_type == "text/plain");
        REQUIRE(got.cpim_headers);
        CHECK(cpim_from(got) == alice.uri);
        CHECK(got.cpim_headers->from->display_name == "Alice");
        REQUIRE(got.cpim_headers->to.size() == 1);
        CHECK(got.cpim_headers->to[0].uri == bob.uri);
        CHECK(got.cpim_headers->datetime.has_value());
        CHECK(got.cpim_headers->body.empty());
        CHECK(got.message.content_type() == "message/cpim");
        CHECK(got.message.message_id() == id);
        const auto delivered = la.all<msrp::ChatDeliveryData>(note::chat_did_deliver_message)[0];
        CHECK(delivered.message_id == id);
        CHECK(delivered.code == 200);
        CHECK_FALSE(delivered.error);
        // The success REPORT itself.
        CHECK(delivered.message.method == "REPORT");
        CHECK(delivered.message.message_id() == id);

        b.send_message("Hi Alice");
        REQUIRE_EVENTUALLY(la.count(note::chat_got_message) == 1 && lb.count(note::chat_did_deliver_message) == 1);
        CHECK(la.all<msrp::ChatGotMessageData>(note::chat_got_message)[0].content == "Hi Alice");

        co_await a.end();
        REQUIRE_EVENTUALLY(la.count(note::chat_did_end) == 1 && lb.count(note::chat_did_fail) == 1);
        co_await b.end();
        REQUIRE_EVENTUALLY(lb.count(note::chat_did_end) == 1);

        const std::vector<std::string> a_expected{
            "MSRPChatDidInitialize", "MSRPChatDidStart", "MSRPChatDidSendMessage", "MSRPChatDidDeliverMessage",
            "MSRPChatGotMessage", "MSRPChatWillEnd", "MSRPChatDidEnd"};
        CHECK(la.names() == a_expected);
        // The peer's end reaches the incoming side as a failure of reading.
        const std::vector<std::string> b_expected{
            "MSRPChatDidInitialize", "MSRPChatDidStart", "MSRPChatGotMessage", "MSRPChatDidSendMessage",
            "MSRPChatDidDeliverMessage", "MSRPChatDidFail", "MSRPChatWillEnd", "MSRPChatDidEnd"};
        CHECK(lb.names() == b_expected);
        const auto fail = lb.all<msrp::ChatDidFailData>(note::chat_did_fail)[0];
        CHECK(fail.context == "reading");
        CHECK(fail.failure == asio::error::eof);
        CHECK_FALSE(fail.reason.empty());
        CHECK_FALSE(a.started());
    });
}

TEST_CASE("chat: a peer without message/cpim gets the content type itself", "[chat]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        auto plain = local_settings();
        plain.accept_types = {"text/plain"};
        msrp::MSRPChat a(ctx.get_executor(), center, alice, bob.uri, true, local_settings());
        msrp::MSRPChat b(ctx.get_executor(), center, bob, alice.uri, false, plain);
        chat_log la, lb;
        la.watch(center, a);
        lb.watch(center, b);
        co_await initialize_and_start(a, b);

        const auto sent = a.send_message("plain words");
        CHECK(sent.content_type() == "text/plain");
        CHECK(sent.data == "plain words");
        REQUIRE_EVENTUALLY(lb.count(note::chat_got_message) == 1 && la.count(note::chat_did_deliver_message) == 1);
        const auto got = lb.all<msrp::ChatGotMessageData>(note::chat_got_message)[0];
        CHECK(got.content == "plain words");
        CHECK(got.content_type == "text/plain");
        CHECK_FALSE(got.cpim_headers.has_value());

        // A type the peer does not take is refused before sending.
        try {
            a.send_message("<b>x</b>", "text/html");
            FAIL("text/html was accepted");
        } catch (const msrp::MSRPChatError& e) {
            CHECK(e.code() == errc::invalid_argument);
            CHECK(std::string(e.what()).find("text/html") != std::string::npos);
        }
        // Is-composing is not sent to a peer that does not accept it.
        a.typing();
        co_await msrp::test::sleep_for(100ms);
        CHECK(lb.count(note::chat_got_composing_indication) == 0);
        co_await a.end();
        co_await b.end();
    });
}

TEST_CASE("chat: message/cpim with wrapped types: the inner type must be among them", "[chat]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        auto wrapped_only = local_settings();
        wrapped_only.accept_types = {"message/cpim"};
        wrapped_only.accept_wrapped_types = {"text/plain", "text/html"};
        msrp::MSRPChat a(ctx.get_executor(), center, alice, bob.uri, true, local_settings());
        msrp::MSRPChat b(ctx.get_executor(), center, bob, alice.uri, false, wrapped_only);
        chat_log lb;
        lb.watch(center, b);
        co_await initialize_and_start(a, b);

        a.send_message("<p>hi</p>", "text/html");
        REQUIRE_EVENTUALLY(lb.count(note::chat_got_message) == 1);
        const auto got = lb.all<msrp::ChatGotMessageData>(note::chat_got_message)[0];
        CHECK(got.content_type == "text/html");
        CHECK(got.content == "<p>hi</p>");
        CHECK(got.message.content_type() == "message/cpim");
        std::error_code ec;
        const auto none = a.send_message("{}", "application/json", std::nullopt, std::nullopt, ec);
        CHECK(ec == errc::invalid_argument);
        CHECK(none.method.empty());
        co_await a.end();
        co_await b.end();
    });
}

TEST_CASE("chat: messages sent before the start go out after MSRPChatDidStart, in order", "[chat]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        msrp::MSRPChat a(ctx.get_executor(), center, alice, bob.uri, true, local_settings());
        msrp::MSRPChat b(ctx.get_executor(), center, bob, alice.uri, false, local_settings());
        chat_log la, lb;
        la.watch(center, a);
        lb.watch(center, b);
        std::vector<std::string> ids;
        ids.push_back(a.send_message("one").message_id().value_or(""));
        co_await a.initialize();
        ids.push_back(a.send_message("two").message_id().value_or(""));
        ids.push_back(a.send_message("three").message_id().value_or(""));
        CHECK(a.queued_messages() == 3);
        co_await b.initialize();
        co_await start_both(a, b.local_media(), b, a.local_media());
        CHECK(a.queued_messages() == 0);
        REQUIRE_EVENTUALLY(lb.count(note::chat_got_message) == 3 && la.count(note::chat_did_deliver_message) == 3);
        std::vector<std::string> contents, got_ids;
        for (const auto& g : lb.all<msrp::ChatGotMessageData>(note::chat_got_message)) {
            contents.push_back(g.content);
            got_ids.push_back(g.message.message_id().value_or(""));
        }
        CHECK(contents == std::vector<std::string>{"one", "two", "three"});
        CHECK(got_ids == ids);
        const auto names = la.names();
        const auto started = std::find(names.begin(), names.end(), "MSRPChatDidStart");
        const auto first_send = std::find(names.begin(), names.end(), "MSRPChatDidSendMessage");
        CHECK(started < first_send);
        co_await a.end();
        co_await b.end();
    });
}

TEST_CASE("chat: ending before the start reports the queued messages as not delivered", "[chat]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        msrp::MSRPChat a(ctx.get_executor(), center, alice, bob.uri, false, local_settings());
        chat_log la;
        la.watch(center, a);
        co_await a.initialize();
        const auto id = a.send_message("never").message_id().value_or("");
        co_await a.end();
        REQUIRE_EVENTUALLY(la.count(note::chat_did_end) == 1);
        const std::vector<std::string> expected{"MSRPChatDidInitialize", "MSRPChatWillEnd",
                                                "MSRPChatDidNotDeliverMessage", "MSRPChatDidEnd"};
        CHECK(la.names() == expected);
        const auto d = la.all<msrp::ChatDeliveryData>(note::chat_did_not_deliver_message)[0];
        CHECK(d.message_id == id);
        CHECK(d.error == errc::session_closed);
        // The listening socket is gone.
        CHECK_THROWS_AS(a.send_message("after"), msrp::MSRPChatError);
    });
}

TEST_CASE("chat: a private message needs a peer that offers them", "[chat]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        auto room = local_settings();
        room.private_messages = true;
        msrp::MSRPChat a(ctx.get_executor(), center, alice, "sip:room@example.com", true, local_settings());
        msrp::MSRPChat b(ctx.get_executor(), center, bob, alice.uri, false, local_settings());
        msrp::MSRPChat c(ctx.get_executor(), center, {"sip:room@example.com", "Room"}, alice.uri, false, room);
        chat_log lc;
        lc.watch(center, c);
        co_await a.initialize();
        co_await b.initialize();
        co_await c.initialize();
        CHECK(c.local_media().attributes.size() == 1);

        // Alice to Bob: Bob offers no private messages.
        co_await start_both(a, b.local_media(), b, a.local_media());
        try {
            a.send_message("psst", "text/plain", std::string("sip:carol@example.com"));
            FAIL("a private message went to a peer that does not take them");
        } catch (const msrp::MSRPChatError& e) {
            CHECK(e.code() == errc::not_supported);
        }
        // The default To is not private.
        CHECK_NOTHROW(a.send_message("to the room", "text/plain", std::string("sip:room@example.com")));
        co_await a.end();
        co_await b.end();

        // Alice to the room, which offers them.
        msrp::MSRPChat a2(ctx.get_executor(), center, alice, "sip:room@example.com", true, local_settings());
        co_await a2.initialize();
        co_await start_both(a2, c.local_media(), c, a2.local_media());
        a2.send_message("psst", "text/plain", std::string("sip:carol@example.com"));
        REQUIRE_EVENTUALLY(lc.count(note::chat_got_message) == 1);
        const auto got = lc.all<msrp::ChatGotMessageData>(note::chat_got_message)[0];
        REQUIRE(got.cpim_headers);
        REQUIRE(got.cpim_headers->to.size() == 1);
        CHECK(got.cpim_headers->to[0].uri == "sip:carol@example.com");
        co_await a2.end();
        co_await c.end();
    });
}

TEST_CASE("chat: a 415 answer gives MSRPChatDidNotDeliverMessage", "[chat]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        auto plain = local_settings();
        plain.accept_types = {"text/plain"};
        msrp::MSRPChat a(ctx.get_executor(), center, alice, bob.uri, true, local_settings());
        msrp::MSRPChat b(ctx.get_executor(), center, bob, alice.uri, false, plain);
        chat_log la, lb;
        la.watch(center, a);
        lb.watch(center, b);
        co_await a.initialize();
        co_await b.initialize();
        // Alice is told Bob takes application/x-game too; Bob's session does not.
        auto claimed = b.local_media();
        claimed.accept_types.push_back("application/x-game");
        co_await start_both(a, claimed, b, a.local_media());
        const auto id = a.send_message("move e4", "application/x-game").message_id().value_or("");
        REQUIRE_EVENTUALLY(la.count(note::chat_did_not_deliver_message) == 1);
        const auto d = la.all<msrp::ChatDeliveryData>(note::chat_did_not_deliver_message)[0];
        CHECK(d.message_id == id);
        CHECK(d.code == 415);
        CHECK(d.error == errc::transaction_failed);
        CHECK(d.message.code == 415); // the response itself
        CHECK(la.count(note::chat_did_deliver_message) == 0);
        CHECK(lb.count(note::chat_got_message) == 0);
        co_await a.end();
        co_await b.end();
    });
}

TEST_CASE("chat: a peer that disappears: not delivered, and reading fails", "[chat]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        msrp::MSRPChat a(ctx.get_executor(), center, alice, bob.uri, true, local_settings());
        chat_log la;
        la.watch(center, a);
        co_await a.initialize();

        // The peer is a bare acceptor: it takes the message and never answers.
        msrp::test::completion accepted;
        co_await start_with_bare_peer(a, accepted);
        REQUIRE(accepted.transport);

        const auto id = a.send_message("anyone there?").message_id().value_or("");
        const auto chunk = co_await accepted.transport->read_chunk();
        CHECK(chunk.message_id() == id);
        accepted.transport->close();
        REQUIRE_EVENTUALLY(la.count(note::chat_did_fail) == 1 && la.count(note::chat_did_not_deliver_message) == 1);
        const auto fail = la.all<msrp::ChatDidFailData>(note::chat_did_fail)[0];
        CHECK(fail.context == "reading");
        const auto d = la.all<msrp::ChatDeliveryData>(note::chat_did_not_deliver_message)[0];
        CHECK(d.message_id == id);
        CHECK(d.code == 408);
        CHECK(d.error);
        CHECK_FALSE(a.started());
        co_await a.end();
        REQUIRE_EVENTUALLY(la.count(note::chat_did_end) == 1);
        CHECK(la.count(note::chat_did_deliver_message) == 0);
    });
}

TEST_CASE("chat: a peer that never reports: not delivered after the local timeout", "[chat]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        auto impatient = local_settings();
        impatient.session.response_timeout = 300ms;
        msrp::MSRPChat a(ctx.get_executor(), center, alice, bob.uri, true, impatient);
        chat_log la;
        la.watch(center, a);
        co_await a.initialize();

        // The peer reads and stays silent, the connection open.
        msrp::test::completion accepted;
        co_await start_with_bare_peer(a, accepted);
        REQUIRE(accepted.transport);
        const auto id = a.send_message("hello?").message_id().value_or("");
        const auto chunk = co_await accepted.transport->read_chunk();
        CHECK(chunk.failure_report() == "partial");
        CHECK(chunk.success_report() == "yes");
        // Failure-Report partial: no 200 is owed, so the time is up only
        // when no success REPORT came either.
        REQUIRE_EVENTUALLY(la.count(note::chat_did_not_deliver_message) == 1);
        const auto d = la.all<msrp::ChatDeliveryData>(note::chat_did_not_deliver_message)[0];
        CHECK(d.message_id == id);
        CHECK(d.code == 408);
        CHECK(d.error == asio::error::timed_out);
        CHECK(d.message.code == 408);
        CHECK(la.count(note::chat_did_fail) == 0);
        CHECK(a.started());
        co_await a.end();
    });
}

TEST_CASE("chat: is-composing goes both ways and is not a message", "[chat][iscomposing]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        auto quick = local_settings();
        quick.composing.idle_timeout = 1s;
        msrp::MSRPChat a(ctx.get_executor(), center, alice, bob.uri, true, quick);
        msrp::MSRPChat b(ctx.get_executor(), center, bob, alice.uri, false, local_settings());
        chat_log la, lb;
        la.watch(center, a);
        lb.watch(center, b);
        co_await initialize_and_start(a, b);

        a.typing();
        CHECK(a.local_composing_state() == msrp::composing_state::active);
        REQUIRE_EVENTUALLY(lb.count(note::chat_got_composing_indication) == 1);
        auto ind = lb.all<msrp::ChatComposingData>(note::chat_got_composing_indication);
        CHECK(ind[0].state == msrp::composing_state::active);
        CHECK(ind[0].refresh.has_value());
        CHECK(b.remote_composing_state() == msrp::composing_state::active);
        // Typing again within the refresh interval sends nothing new.
        a.typing();

        // The message itself ends the composing on both sides.
        a.send_message("done typing");
        REQUIRE_EVENTUALLY(lb.count(note::chat_got_message) == 1);
        CHECK(a.local_composing_state() == msrp::composing_state::idle);
        CHECK(b.remote_composing_state() == msrp::composing_state::idle);
        ind = lb.all<msrp::ChatComposingData>(note::chat_got_composing_indication);
        REQUIRE(ind.size() == 2);
        CHECK(ind[1].state == msrp::composing_state::idle);
        // The idle indication comes before the message.
        const auto names = lb.names_without({"MSRPChatDidSendMessage", "MSRPChatDidDeliverMessage"});
        const std::vector<std::string> expected{"MSRPChatDidInitialize", "MSRPChatDidStart",
                                                "MSRPChatGotComposingIndication", "MSRPChatGotComposingIndication",
                                                "MSRPChatGotMessage"};
        CHECK(names == expected);
        // Indications are never chat messages, nor reported as delivered.
        REQUIRE_EVENTUALLY(la.count(note::chat_did_deliver_message) == 1);

        // Typing then stopping: after the idle timeout an idle indication.
        a.typing();
        REQUIRE_EVENTUALLY(lb.count(note::chat_got_composing_indication) == 3);
        REQUIRE_EVENTUALLY(lb.count(note::chat_got_composing_indication) == 4);
        ind = lb.all<msrp::ChatComposingData>(note::chat_got_composing_indication);
        CHECK(ind[2].state == msrp::composing_state::active);
        CHECK(ind[3].state == msrp::composing_state::idle);
        CHECK(a.local_composing_state() == msrp::composing_state::idle);
        CHECK(la.count(note::chat_did_send_message) == 1);
        CHECK(lb.count(note::chat_got_message) == 1);
        co_await a.end();
        co_await b.end();
    });
}

TEST_CASE("chat: media that cannot work fail start() with sdp_negotiation", "[chat]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        msrp::MSRPChat a(ctx.get_executor(), center, alice, bob.uri, true, local_settings());
        msrp::MSRPChat b(ctx.get_executor(), center, bob, alice.uri, false, local_settings());
        chat_log la;
        la.watch(center, a);
        co_await a.initialize();
        co_await b.initialize();

        auto both_active = b.local_media();
        both_active.setup = "active";
        std::error_code ec;
        co_await a.start(both_active, msrp::test::redirect(ec));
        CHECK(ec);
        auto tls = b.local_media();
        tls.transport = "TCP/TLS/MSRP";
        std::error_code tls_ec;
        co_await a.start(tls, msrp::test::redirect(tls_ec));
        CHECK(tls_ec == errc::unsupported_transport);
        REQUIRE_EVENTUALLY(la.count(note::chat_did_fail) == 2);
        for (const auto& f : la.all<msrp::ChatDidFailData>(note::chat_did_fail))
            CHECK(f.context == "sdp_negotiation");
        CHECK_FALSE(a.started());

        // A relay is for a later stage: initialize says so.
        auto relayed = local_settings();
        relayed.relay = msrp::relay_settings{msrp::URI::parse("msrp://127.0.0.1:2855;tcp"), "u", "p"};
        msrp::MSRPChat r(ctx.get_executor(), center, alice, bob.uri, true, relayed);
        chat_log lr;
        lr.watch(center, r);
        std::error_code relay_ec;
        co_await r.initialize(msrp::test::redirect(relay_ec));
        CHECK(relay_ec == errc::not_supported);
        REQUIRE_EVENTUALLY(lr.count(note::chat_did_fail) == 1);
        CHECK(lr.all<msrp::ChatDidFailData>(note::chat_did_fail)[0].context == "initialize");
        co_await a.end();
        co_await b.end();
        co_await r.end();
    });
}

TEST_CASE("chat: over TLS with the SDP fingerprint", "[chat][tls]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        auto secure = local_settings();
        secure.local_uri.use_tls = true;
        // The side whose peer gives up during the handshake stops waiting soon.
        secure.connect.bind_timeout = 3s;
        msrp::MSRPChat a(ctx.get_executor(), center, alice, bob.uri, true, secure);
        msrp::MSRPChat b(ctx.get_executor(), center, bob, alice.uri, false, secure);
        chat_log lb;
        lb.watch(center, b);
        co_await a.initialize();
        co_await b.initialize();
        CHECK(a.local_media().transport == "TCP/TLS/MSRP");
        CHECK(b.local_media().fingerprint.rfind("sha-256 ", 0) == 0);
        co_await start_both(a, b.local_media(), b, a.local_media());
        a.send_message("over tls");
        REQUIRE_EVENTUALLY(lb.count(note::chat_got_message) == 1);
        CHECK(lb.all<msrp::ChatGotMessageData>(note::chat_got_message)[0].content == "over tls");
        co_await a.end();
        co_await b.end();

        // A fingerprint that does not match the certificate fails the start.
        msrp::MSRPChat c(ctx.get_executor(), center, alice, bob.uri, true, secure);
        msrp::MSRPChat d(ctx.get_executor(), center, bob, alice.uri, false, secure);
        chat_log lc;
        lc.watch(center, c);
        co_await c.initialize();
        co_await d.initialize();
        auto forged = d.local_media();
        forged.fingerprint = "sha-256 00";
        for (int i = 1; i < 32; ++i)
            forged.fingerprint += ":00";
        std::error_code c_ec, d_ec;
        using namespace asio::experimental::awaitable_operators;
        co_await (c.start(forged, msrp::test::redirect(c_ec)) && d.start(c.local_media(), msrp::test::redirect(d_ec)));
        CHECK(c_ec);
        REQUIRE_EVENTUALLY(lc.count(note::chat_did_fail) == 1);
        CHECK(lc.all<msrp::ChatDidFailData>(note::chat_did_fail)[0].context == "start");
        co_await c.end();
        co_await d.end();
    });
}
