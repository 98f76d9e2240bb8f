// A chat client on MSRPChat.
//
//   chat_client
//       Both ends in this process over 127.0.0.1: Alice sends a few lines,
//       Bob answers each; exits 0 once every line and answer was delivered.
//   chat_client 'msrp://HOST:PORT/SESSION;tcp'
//       Connects to that peer (`msrp chat --listen`, the server example, or
//       any MSRP endpoint that takes text/plain), prints its own path (the
//       peer may need it: the server example asks for it), sends each line
//       of standard input and prints what arrives; exits 0 once the input
//       ended and every line was delivered.
//
// Without SIP there is no SDP offer/answer: the peer's media is made up from
// its path, as `msrp chat --connect` does.

#include <msrp/protocol/path.hpp>
#include <msrp/protocol/sdp_media.hpp>
#include <msrp/streams/chat.hpp>

#include "stdin_lines.hpp"

#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

/// What one side of a chat was told.
struct chat_log {
    std::size_t sent = 0, got = 0, delivered = 0, not_delivered = 0;

    std::size_t settled() const { return delivered + not_delivered; }
};

/// Counts (and prints) what `chat` posts. `answer`: reply to each message.
msrp::NotificationCenter::Subscription watch(msrp::NotificationCenter& center, msrp::MSRPChat& chat,
                                             const std::string& name, chat_log& log, bool answer) {
    auto observer = [&chat, name, &log, answer](const msrp::Notification& n) {
        if (const auto* got = n.data_as<msrp::ChatGotMessageData>()) {
            ++log.got;
            std::cout << name << " got: \"" << got->content << "\"" << std::endl;
            if (answer) {
                chat.send_message("got it: " + got->content);
                ++log.sent;
            }
        } else if (n.name == msrp::notification::chat_did_deliver_message) {
            ++log.delivered;
        } else if (const auto* report = n.data_as<msrp::ChatDeliveryData>()) {
            ++log.not_delivered;
            std::cout << name << ": not delivered: " << report->code << " " << report->reason << std::endl;
        } else if (const auto* failed = n.data_as<msrp::ChatDidFailData>()) {
            // "reading" with end of file: the peer left.
            std::cout << name << ": " << failed->context << " failed: " << failed->failure.message() << std::endl;
        }
    };
    return center.add_observer(std::move(observer), {}, &chat);
}

/// Waits until `done()` holds, checking every few milliseconds, at most
/// `limit`. Returns whether it held.
template <class Done>
asio::awaitable<bool> wait_until(Done done, std::chrono::milliseconds limit) {
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= until)
            co_return false;
        timer.expires_after(5ms);
        co_await timer.async_wait(asio::use_awaitable);
    }
    co_return true;
}

msrp::chat_settings quick_settings() {
    msrp::chat_settings settings;
    settings.local_uri.host = "127.0.0.1";
    settings.connect.bind_timeout = 10s;
    settings.session.response_timeout = 10s;
    return settings;
}

/// Both ends here: Bob listens (he answers the offer), Alice connects.
asio::awaitable<bool> chat_in_process() {
    const auto executor = co_await asio::this_coro::executor;
    msrp::NotificationCenter center(executor);
    const msrp::chat_settings settings = quick_settings();
    msrp::MSRPChat alice(executor, center, {"sip:alice@example.com", "Alice"}, "sip:bob@example.com",
                         /*outgoing=*/true, settings);
    msrp::MSRPChat bob(executor, center, {"sip:bob@example.com", "Bob"}, "sip:alice@example.com",
                       /*outgoing=*/false, settings);
    chat_log alice_log, bob_log;
    const auto alice_watch = watch(center, alice, "Alice", alice_log, false);
    const auto bob_watch = watch(center, bob, "Bob", bob_log, true);

    co_await bob.initialize();
    co_await alice.initialize();
    // What SIP would carry in the offer and the answer.
    const msrp::SDPMedia alice_media = alice.local_media(), bob_media = bob.local_media();
    {
        using namespace asio::experimental::awaitable_operators;
        co_await (alice.start(bob_media) && bob.start(alice_media));
    }
    const std::vector<std::string> lines{"Hello Bob", "Are you there?", "Bye"};
    for (const auto& line : lines) {
        alice.send_message(line);
        ++alice_log.sent;
    }
    // Named, not built inside the co_await expression (GCC 12, STYLE.md).
    const auto all_answered = [&] {
        return bob_log.got == lines.size() && alice_log.got == lines.size() &&
               alice_log.settled() == alice_log.sent && bob_log.settled() == bob_log.sent;
    };
    const bool all_done = co_await wait_until(all_answered, 20s);
    co_await alice.end();
    co_await bob.end();
    co_return all_done && alice_log.not_delivered == 0 && bob_log.not_delivered == 0;
}

/// One end here, connecting to `peer_path`.
asio::awaitable<bool> chat_with(msrp::Path peer_path) {
    const auto executor = co_await asio::this_coro::executor;
    msrp::NotificationCenter center(executor);
    msrp::chat_settings settings = quick_settings();
    settings.connect.bind_timeout = 60s; // time for the peer to be told our path
    msrp::MSRPChat chat(executor, center, {"sip:me@example.com", "Me"}, "sip:peer@example.com",
                        /*outgoing=*/true, settings);
    chat_log log;
    example::stdin_lines input(executor);
    const auto subscription = watch(center, chat, "chat_client", log, false);
    // The peer leaving ends the input too.
    const auto on_end = center.add_observer(
        [&](const msrp::Notification& n) {
            if (n.data_as<msrp::ChatDidFailData>())
                input.cancel();
        },
        msrp::notification::chat_did_fail, &chat);

    co_await chat.initialize();
    std::cout << "a=path:" << msrp::format_path(chat.local_media().path) << std::endl;
    // The peer's media as its SDP would describe it: it listens, takes text.
    msrp::SDPMedia peer = msrp::make_msrp_media(peer_path, {"text/plain"});
    peer.setup = "passive";
    co_await chat.start(peer);
    std::cout << "connected to " << msrp::format_path(peer_path) << "; type lines, end with EOF" << std::endl;
    for (;;) {
        const auto line = co_await input.next();
        if (!line || !chat.started())
            break;
        if (line->empty())
            continue;
        chat.send_message(*line);
        ++log.sent;
    }
    const auto all_settled = [&] { return log.settled() == log.sent; };
    const bool settled = co_await wait_until(all_settled, settings.session.response_timeout + 5s);
    co_await chat.end();
    co_return settled && log.not_delivered == 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 2 || (argc == 2 && std::string(argv[1]).starts_with("-"))) {
        std::fprintf(stderr, "usage: %s ['msrp://HOST:PORT/SESSION;tcp']\n", argv[0]);
        return 2;
    }
    msrp::Path peer_path;
    if (argc == 2) {
        const auto ec = msrp::parse_path(argv[1], peer_path);
        if (ec || peer_path.empty() || peer_path.back().use_tls) {
            std::fprintf(stderr, "%s: '%s' is not an msrp:// path (msrps is not supported here): %s\n", argv[0],
                         argv[1], ec ? ec.message().c_str() : "empty or msrps");
            return 2;
        }
    }

    asio::io_context ctx{1};
    bool finished = false, ok = false;
    std::exception_ptr failure;
    auto session = argc == 2 ? chat_with(peer_path) : chat_in_process();
    asio::co_spawn(ctx, std::move(session), [&](std::exception_ptr e, bool result) {
        finished = true;
        failure = e;
        ok = result;
    });
    if (argc == 2)
        ctx.run(); // as long as the input lasts
    else
        ctx.run_for(std::chrono::seconds(60)); // a backstop: every wait above is bounded
    if (!finished) {
        std::fputs("chat_client: did not finish within 60 s\n", stderr);
        return 1;
    }
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "chat_client: %s\n", e.what());
        }
        return 1;
    }
    std::puts(ok ? "every message delivered" : "some messages were not delivered");
    return ok ? 0 : 1;
}
