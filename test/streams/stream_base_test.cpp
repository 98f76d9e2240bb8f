// MSRPStreamBase: the first hop's TLS expectation, the failure path of the
// loops a stream spawns, and the lifecycle hooks as a stream kind other than
// the chat sees them (two test streams over loopback).

#include "../support/session_helpers.hpp"
#include "../support/io_test.hpp"

#include <msrp/protocol/error.hpp>
#include <msrp/streams/stream_base.hpp>

#include <asio/experimental/awaitable_operators.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using msrp::errc;

namespace {

constexpr msrp::stream_notification_names test_names{"TestDidInitialize", "TestDidStart", "TestWillEnd",
                                                      "TestDidEnd", "TestDidFail"};

/// A stream kind that records which hooks ran, in order.
struct test_stream final : msrp::MSRPStreamBase {
    test_stream(asio::any_io_executor ex, msrp::NotificationCenter& center, const void* sender, bool outgoing,
                msrp::stream_settings s)
        : MSRPStreamBase(std::move(ex), center, sender, outgoing, std::move(s), test_names) {}

    mutable std::vector<std::string> hooks;
    std::vector<msrp::IncomingMessage> messages;
    bool refuse_media = false;

    msrp::stream_media describe_media() const override {
        hooks.push_back("describe_media");
        msrp::stream_media m;
        m.media = "application";
        m.accept_types = {"application/x-test"};
        m.max_size = 4096;
        m.direction = "sendrecv";
        m.attributes.push_back(msrp::SDPAttribute{"x-test", "1", true});
        return m;
    }
    std::error_code check_remote_media(const msrp::SDPMedia&, std::string& why) const override {
        hooks.push_back("check_remote_media");
        if (!refuse_media)
            return {};
        why = "the test refuses it";
        return errc::not_supported;
    }
    void remote_media_accepted(const msrp::SDPMedia&) override { hooks.push_back("remote_media_accepted"); }
    void tune_session(msrp::session_options& options) const override {
        hooks.push_back("tune_session");
        options.chunk_size = 1000;
    }
    void on_started() override { hooks.push_back("on_started"); }
    void on_message(msrp::IncomingMessage m) override {
        if (m.method == "SEND")
            messages.push_back(std::move(m));
    }
    void on_stopping() noexcept override { hooks.push_back("on_stopping"); }
    void on_ended() override { hooks.push_back("on_ended"); }

    using MSRPStreamBase::spawn;
};

/// Everything posted by one sender, in order.
struct posted_log {
    std::vector<msrp::Notification> posted;
    msrp::NotificationCenter::Subscription sub;

    void watch(msrp::NotificationCenter& center, const void* sender) {
        sub = center.add_observer([this](const msrp::Notification& n) { posted.push_back(n); }, {}, sender);
    }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& n : posted)
            out.push_back(n.name);
        return out;
    }
    std::vector<msrp::StreamDidFailData> failures() const {
        std::vector<msrp::StreamDidFailData> out;
        for (const auto& n : posted)
            if (n.name == test_names.did_fail)
                out.push_back(*n.data_as<msrp::StreamDidFailData>());
        return out;
    }
};

msrp::stream_settings loopback() {
    msrp::stream_settings s;
    s.local_uri.host = "127.0.0.1";
    s.session.response_timeout = 2s;
    return s;
}

msrp::SDPMedia tls_media(std::string fingerprint) {
    msrp::SDPMedia m;
    m.transport = "TCP/TLS/MSRP";
    m.fingerprint = std::move(fingerprint);
    return m;
}

asio::awaitable<void> throw_after_a_turn(std::exception_ptr what) {
    co_await msrp::test::sleep_for(1ms);
    std::rethrow_exception(what);
}

asio::awaitable<void> end_after_a_turn(std::shared_ptr<bool> ran) {
    co_await msrp::test::sleep_for(1ms);
    *ran = true;
}

} // namespace

TEST_CASE("stream base: the peer's fingerprint is expected of the first hop only without a relay", "[stream]") {
    const std::string peer = "sha-256 AB:CD";
    const auto relay = std::optional<msrp::relay_settings>(
        msrp::relay_settings{msrp::URI::parse("msrps://relay.example.com:2855;tcp"), "u", "p"});

    SECTION("direct: the peer is the first hop") {
        msrp::tls::settings tls;
        tls.expected_peer_fingerprint = "sha-256 00:00";
        msrp::expect_first_hop_certificate(tls, tls_media(peer), std::nullopt);
        CHECK(tls.expected_peer_fingerprint == peer);
    }
    SECTION("direct, the peer's media without a fingerprint: nothing to check") {
        msrp::tls::settings tls;
        tls.expected_peer_fingerprint = "sha-256 00:00";
        msrp::expect_first_hop_certificate(tls, tls_media(""), std::nullopt);
        CHECK(tls.expected_peer_fingerprint.empty());
    }
    SECTION("relayed: the relay's certificate is not held to the peer's fingerprint") {
        msrp::tls::settings tls;
        msrp::expect_first_hop_certificate(tls, tls_media(peer), relay);
        CHECK(tls.expected_peer_fingerprint.empty());
        // What the settings pin or verify of the relay stays.
        msrp::tls::settings pinned;
        pinned.expected_peer_fingerprint = "sha-256 11:11";
        pinned.verify_peer_chain = true;
        pinned.verify_host = "relay.example.com";
        msrp::expect_first_hop_certificate(pinned, tls_media(peer), relay);
        CHECK(pinned.expected_peer_fingerprint == "sha-256 11:11");
        CHECK(pinned.verify_peer_chain);
        CHECK(pinned.verify_host == "relay.example.com");
    }
    SECTION("plain TCP media leave the settings alone") {
        msrp::tls::settings tls;
        tls.expected_peer_fingerprint = "sha-256 00:00";
        auto media = tls_media(peer);
        media.transport = "TCP/MSRP";
        msrp::expect_first_hop_certificate(tls, media, std::nullopt);
        CHECK(tls.expected_peer_fingerprint == "sha-256 00:00");
    }
}

TEST_CASE("stream base: a spawned loop that throws posts DidFail with its context", "[stream]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        const int owner = 0;
        auto stream = std::make_shared<test_stream>(ctx.get_executor(), center, &owner, true, loopback());
        posted_log log;
        log.watch(center, &owner);

        stream->spawn(throw_after_a_turn(std::make_exception_ptr(std::runtime_error("the loop broke"))), "sending");
        REQUIRE_EVENTUALLY(log.failures().size() == 1);
        auto f = log.failures()[0];
        CHECK(f.context == "sending");
        CHECK(f.reason == "the loop broke");
        CHECK(f.failure == std::errc::state_not_recoverable);
        REQUIRE(f.exception);
        CHECK_THROWS_AS(std::rethrow_exception(f.exception), std::runtime_error);

        // A std::system_error gives its own code.
        const std::error_code full = errc::queue_full;
        stream->spawn(throw_after_a_turn(std::make_exception_ptr(std::system_error(full, "queueing"))), "composing");
        REQUIRE_EVENTUALLY(log.failures().size() == 2);
        f = log.failures()[1];
        CHECK(f.context == "composing");
        CHECK(f.failure == errc::queue_full);
        CHECK(f.reason.find("queueing") != std::string::npos);

        // A loop that ends normally posts nothing.
        const auto ran = std::make_shared<bool>(false);
        stream->spawn(end_after_a_turn(ran), "sending");
        REQUIRE_EVENTUALLY(*ran);
        co_await msrp::test::sleep_for(10ms);
        CHECK(log.failures().size() == 2);

        // Cancelled by the end: the end, not a failure.
        std::error_code ec;
        co_await stream->end(ec);
        CHECK_FALSE(ec);
        const std::error_code aborted = asio::error::operation_aborted;
        stream->spawn(throw_after_a_turn(std::make_exception_ptr(std::system_error(aborted))), "sending");
        co_await msrp::test::sleep_for(20ms);
        CHECK(log.failures().size() == 2);
        // Any other failure after the end is still told.
        stream->spawn(throw_after_a_turn(std::make_exception_ptr(std::bad_alloc())), "sending");
        REQUIRE_EVENTUALLY(log.failures().size() == 3);
        CHECK(log.failures()[2].failure == std::errc::not_enough_memory);

        // Once abandoned, nothing is posted.
        stream->abandon();
        stream->spawn(throw_after_a_turn(std::make_exception_ptr(std::runtime_error("late"))), "sending");
        co_await msrp::test::sleep_for(20ms);
        CHECK(log.failures().size() == 3);
        const std::vector<std::string> expected{"TestDidFail", "TestDidFail", "TestWillEnd", "TestDidEnd",
                                                "TestDidFail"};
        CHECK(log.names() == expected);
    });
}

TEST_CASE("stream base: a stream kind's hooks, media and names over loopback", "[stream]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        msrp::NotificationCenter center(ctx.get_executor());
        const int out_owner = 0, in_owner = 0;
        auto out = std::make_shared<test_stream>(ctx.get_executor(), center, &out_owner, true, loopback());
        auto in = std::make_shared<test_stream>(ctx.get_executor(), center, &in_owner, false, loopback());
        posted_log lo, li;
        lo.watch(center, &out_owner);
        li.watch(center, &in_owner);

        std::error_code ec;
        co_await out->initialize(ec);
        REQUIRE_FALSE(ec);
        co_await in->initialize(ec);
        REQUIRE_FALSE(ec);
        // The stream kind's part and the base's part of the media.
        const auto& media = in->local_media();
        CHECK(media.media == "application");
        CHECK(media.accept_types == std::vector<std::string>{"application/x-test"});
        CHECK(media.max_size == 4096u);
        CHECK(media.direction == "sendrecv");
        REQUIRE(media.attributes.size() == 1);
        CHECK(media.attributes[0].name == "x-test");
        CHECK(media.setup == "passive");
        CHECK(out->local_media().setup == "active");
        CHECK(media.port == media.path.back().port);
        CHECK(media.transport == "TCP/MSRP");

        std::error_code out_ec, in_ec;
        co_await (out->start(in->local_media(), out_ec) && in->start(out->local_media(), in_ec));
        REQUIRE_FALSE(out_ec);
        REQUIRE_FALSE(in_ec);
        CHECK(out->started());
        REQUIRE(out->session());
        CHECK(out->session()->options().chunk_size == 1000);
        CHECK(in->session()->options().accept_types == std::vector<std::string>{"application/x-test"});

        msrp::OutgoingMessage m;
        m.content_type = "application/x-test";
        m.data = "payload";
        out->session()->send_message(std::move(m));
        REQUIRE_EVENTUALLY(in->messages.size() == 1);
        CHECK(in->messages[0].data == "payload");

        co_await out->end(out_ec);
        CHECK_FALSE(out_ec);
        REQUIRE_EVENTUALLY(li.failures().size() == 1);
        CHECK(li.failures()[0].context == "reading");
        // Its session ended with the peer's leaving, reported as DidFail.
        co_await in->end(in_ec);
        CHECK_FALSE(in_ec);
        REQUIRE_EVENTUALLY(lo.names().size() == 4 && li.names().size() == 5);

        const std::vector<std::string> hooks{"describe_media", "check_remote_media", "remote_media_accepted",
                                             "tune_session",   "on_started",         "on_stopping",
                                             "on_ended"};
        CHECK(out->hooks == hooks);
        CHECK(in->hooks == hooks);
        // The end of the outgoing side reaches the incoming one as a failure of reading.
        const std::vector<std::string> out_names{"TestDidInitialize", "TestDidStart", "TestWillEnd", "TestDidEnd"};
        const std::vector<std::string> in_names{"TestDidInitialize", "TestDidStart", "TestDidFail", "TestWillEnd",
                                                "TestDidEnd"};
        CHECK(lo.names() == out_names);
        CHECK(li.names() == in_names);
        CHECK(lo.posted[0].data_as<msrp::StreamDidInitializeData>()->sdpmedia == out->local_media());
        CHECK_FALSE(out->session());
    });
}

TEST_CASE("stream base: a stream kind's refusal of the peer's media fails with sdp_negotiation", "[stream]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        msrp::NotificationCenter center(ctx.get_executor());
        const int owner = 0, peer_owner = 0;
        auto stream = std::make_shared<test_stream>(ctx.get_executor(), center, &owner, true, loopback());
        auto peer = std::make_shared<test_stream>(ctx.get_executor(), center, &peer_owner, false, loopback());
        posted_log log;
        log.watch(center, &owner);
        std::error_code ec;
        co_await stream->initialize(ec);
        co_await peer->initialize(ec);
        stream->refuse_media = true;
        co_await stream->start(peer->local_media(), ec);
        CHECK(ec == errc::not_supported);
        REQUIRE_EVENTUALLY(log.failures().size() == 1);
        CHECK(log.failures()[0].context == "sdp_negotiation");
        CHECK(log.failures()[0].reason == "the test refuses it");
        CHECK(stream->current_phase() == msrp::MSRPStreamBase::phase::initialized);
        CHECK(std::find(stream->hooks.begin(), stream->hooks.end(), "remote_media_accepted") == stream->hooks.end());
        // The base's own checks come first: a transport mismatch never
        // reaches the stream kind.
        stream->hooks.clear();
        auto tls = peer->local_media();
        tls.transport = "TCP/TLS/MSRP";
        co_await stream->start(tls, ec);
        CHECK(ec == errc::unsupported_transport);
        CHECK(stream->hooks.empty());
        co_await stream->end(ec);
        co_await peer->end(ec);
    });
}
