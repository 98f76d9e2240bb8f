// `msrp demo`: Alice and Bob chat in one process over 127.0.0.1. Alice's
// side connects (it made the offer), Bob's listens; messages go wrapped in
// message/cpim, each with is-composing before it and a delivery report
// after it. Everything either side is told is printed as it comes.

#include "commands.hpp"
#include "console.hpp"

#include <msrp/protocol/path.hpp>
#include <msrp/streams/chat.hpp>

#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <iostream>

namespace msrp::cli {

namespace {

using namespace std::chrono_literals;

/// One side of the demo and what it was told.
struct party {
    std::string name;
    MSRPChat chat;
    std::size_t got = 0, delivered = 0, not_delivered = 0, composing = 0;
    bool ended = false;
};

/// Waits until `done` holds, at most `limit`; false if it did not.
template <class Done>
asio::awaitable<bool> wait_for(Done done, std::chrono::milliseconds limit = 5s) {
    const auto executor = co_await asio::this_coro::executor; // named: GCC 12 and co_await temporaries
    asio::steady_timer timer(executor);
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until)
            co_return false;
        timer.expires_after(2ms);
        co_await timer.async_wait(asio::use_awaitable);
    }
    co_return true;
}

asio::awaitable<void> pause(std::chrono::milliseconds d) {
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, d);
    co_await timer.async_wait(asio::use_awaitable);
}

/// One turn of the conversation: `from` types, then sends; `to` reads it
/// and `from` hears it was delivered.
asio::awaitable<bool> say(party& from, party& to, console& out, const std::string& text) {
    const auto composing_before = to.composing;
    from.chat.typing();
    if (!co_await wait_for([&] { return to.composing > composing_before; }))
        co_return false;
    co_await pause(150ms); // typing...
    const auto got_before = to.got, delivered_before = from.delivered;
    const auto chunk = from.chat.send_message(text);
    out.sent(from.name, chunk.message_id().value_or(""), text, chunk.content_type().value_or(""));
    co_return co_await wait_for([&] { return to.got > got_before && from.delivered > delivered_before; });
}

} // namespace

int run_demo(const demo_options& o) {
    asio::io_context ctx{1};
    NotificationCenter center(ctx.get_executor());
    std::unique_ptr<std::ofstream> log_file;
    chat_settings settings;
    settings.local_uri.host = "127.0.0.1";
    settings.logger = make_traffic_logger(o.common, log_file);
    settings.session.response_timeout = 5s;
    settings.connect.bind_timeout = 5s;
    console out(std::cout, o.common.json);

    party alice{"Alice", MSRPChat(ctx.get_executor(), center, {"sip:alice@example.com", "Alice"},
                                  "sip:bob@example.com", true, settings)};
    party bob{"Bob", MSRPChat(ctx.get_executor(), center, {"sip:bob@example.com", "Bob"}, "sip:alice@example.com",
                              false, settings)};

    auto watch = [&](party& p) {
        return center.add_observer(
            [&](const Notification& n) {
                if (const auto* m = n.data_as<ChatGotMessageData>()) {
                    ++p.got;
                    out.got_message(p.name, *m);
                } else if (n.name == notification::chat_did_deliver_message) {
                    ++p.delivered;
                    out.delivery(p.name, *n.data_as<ChatDeliveryData>(), true);
                } else if (n.name == notification::chat_did_not_deliver_message) {
                    ++p.not_delivered;
                    out.delivery(p.name, *n.data_as<ChatDeliveryData>(), false);
                } else if (const auto* c = n.data_as<ChatComposingData>()) {
                    ++p.composing;
                    out.composing(p.name, &p == &alice ? bob.name : alice.name, *c);
                } else if (const auto* f = n.data_as<ChatDidFailData>()) {
                    out.failed(p.name, *f);
                } else if (const auto* bad = n.data_as<ChatGotInvalidMessageData>()) {
                    out.invalid_message(p.name, *bad);
                } else if (n.name == notification::chat_did_end) {
                    p.ended = true;
                    out.ended(p.name);
                }
            },
            {}, &p.chat);
    };
    auto watch_alice = watch(alice);
    auto watch_bob = watch(bob);

    int status = exit_ok;
    bool finished = false;
    auto script = [&]() -> asio::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        out.info("msrp demo: Alice and Bob chat over MSRP on 127.0.0.1 (RFC 4975), messages wrapped in "
                 "message/cpim (RFC 3862), is-composing (RFC 3994) and success reports");
        co_await bob.chat.initialize();
        co_await alice.chat.initialize();
        out.listening(bob.name, bob.chat.local_media());
        out.listening(alice.name, alice.chat.local_media());
        // The SDP offer/answer a SIP call would carry, given directly.
        const SDPMedia alice_media = alice.chat.local_media(), bob_media = bob.chat.local_media();
        co_await (alice.chat.start(bob_media) && bob.chat.start(alice_media));
        out.connected(alice.name, format_path(bob_media.path));

        const std::vector<std::string> lines{"Hi Bob! Are you there?",
                                             "Hello Alice, yes. Your message came in message/cpim.",
                                             "And a success report told me it arrived.", "Same here. Bye!"};
        bool all_said = true;
        for (std::size_t i = 0; i < lines.size() && all_said; ++i) {
            const bool from_alice = i % 2 == 0;
            all_said = co_await say(from_alice ? alice : bob, from_alice ? bob : alice, out, lines[i]);
        }
        co_await alice.chat.end();
        co_await wait_for([&] { return bob.got >= 2 && alice.ended; });
        co_await bob.chat.end();
        co_await wait_for([&] { return bob.ended; });
        const auto sent = lines.size();
        const auto delivered = alice.delivered + bob.delivered;
        out.info("summary: " + std::to_string(sent) + " messages sent, " + std::to_string(delivered) +
                 " delivered, " + std::to_string(alice.not_delivered + bob.not_delivered) + " not delivered");
        if (!all_said || delivered != sent)
            status = exit_failure;
        finished = true;
    };
    asio::co_spawn(ctx, script(), [&](std::exception_ptr e) {
        if (!e)
            return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << "msrp demo: " << ex.what() << "\n";
        }
        status = exit_failure;
    });
    ctx.run_for(60s);
    if (!finished && status == exit_ok) {
        std::cerr << "msrp demo: the conversation did not finish within 60 s\n";
        status = exit_failure;
    }
    return status;
}

} // namespace msrp::cli
