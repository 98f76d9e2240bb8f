// NotificationCenter: matching by name and sender, delivery later on the
// executor in posting order, subscriptions.

#include <msrp/notify/notification_center.hpp>

#include <asio/io_context.hpp>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace {

struct recorder {
    std::vector<std::string> seen;
    msrp::notification_observer observer(std::string tag) {
        return [this, tag](const msrp::Notification& n) { seen.push_back(tag + ":" + n.name); };
    }
};

} // namespace

TEST_CASE("notifications reach the observers matching their name and sender, in posting order", "[notify]") {
    asio::io_context ctx{1};
    msrp::NotificationCenter center(ctx.get_executor());
    int a = 0, b = 0;
    recorder r;
    auto all = center.add_observer(r.observer("all"));
    auto by_name = center.add_observer(r.observer("name"), "Ping");
    auto by_sender = center.add_observer(r.observer("a"), {}, &a);
    auto both = center.add_observer(r.observer("a-ping"), "Ping", &a);

    center.post("Ping", &a);
    center.post("Pong", &b);
    center.post("Ping", &b);
    // Nothing is called from inside post().
    CHECK(r.seen.empty());
    CHECK(center.pending() == 3);
    ctx.run();
    CHECK(center.pending() == 0);
    const std::vector<std::string> expected{"all:Ping", "name:Ping", "a:Ping", "a-ping:Ping",
                                            "all:Pong", "all:Ping", "name:Ping"};
    CHECK(r.seen == expected);
}

TEST_CASE("notification data is typed", "[notify]") {
    struct payload {
        int code;
        std::string reason;
    };
    asio::io_context ctx{1};
    msrp::NotificationCenter center(ctx.get_executor());
    std::vector<int> codes;
    bool wrong_type_is_null = false;
    auto sub = center.add_observer([&](const msrp::Notification& n) {
        if (const auto* p = n.data_as<payload>())
            codes.push_back(p->code);
        wrong_type_is_null = n.data_as<std::string>() == nullptr;
    });
    center.post("X", nullptr, payload{415, "no"});
    ctx.run();
    CHECK(codes == std::vector<int>{415});
    CHECK(wrong_type_is_null);
}

TEST_CASE("an observer posting from its callback is not re-entered; the new one comes after", "[notify]") {
    asio::io_context ctx{1};
    msrp::NotificationCenter center(ctx.get_executor());
    std::vector<std::string> seen;
    bool inside = false, reentered = false;
    auto sub = center.add_observer([&](const msrp::Notification& n) {
        reentered = reentered || inside;
        inside = true;
        seen.push_back(n.name);
        if (n.name == "first")
            center.post("from-observer", nullptr);
        inside = false;
    });
    center.post("first", nullptr);
    center.post("second", nullptr);
    ctx.run();
    CHECK_FALSE(reentered);
    CHECK(seen == std::vector<std::string>{"first", "second", "from-observer"});
}

TEST_CASE("a reset subscription hears nothing more, not even what was already posted", "[notify]") {
    asio::io_context ctx{1};
    msrp::NotificationCenter center(ctx.get_executor());
    recorder r;
    auto first = center.add_observer(r.observer("first"));
    msrp::NotificationCenter::Subscription second;
    // The first observer removes the second while a notification is being
    // delivered: the second hears neither that one nor the next.
    auto remover = center.add_observer([&](const msrp::Notification&) { second.reset(); });
    second = center.add_observer(r.observer("second"));
    CHECK(static_cast<bool>(second));
    center.post("one", nullptr);
    center.post("two", nullptr);
    first.reset();
    ctx.run();
    CHECK(r.seen.empty());
    CHECK_FALSE(static_cast<bool>(second));

    // Moving a subscription keeps it; destroying it ends it.
    recorder moved;
    {
        auto s = center.add_observer(moved.observer("m"));
        auto t = std::move(s);
        center.post("three", nullptr);
        ctx.restart();
        ctx.run();
    }
    center.post("four", nullptr);
    ctx.restart();
    ctx.run();
    CHECK(moved.seen == std::vector<std::string>{"m:three"});
}

TEST_CASE("subscriptions may outlive the center; its undelivered notifications are dropped", "[notify]") {
    asio::io_context ctx{1};
    recorder r;
    msrp::NotificationCenter::Subscription sub;
    {
        msrp::NotificationCenter center(ctx.get_executor());
        sub = center.add_observer(r.observer("x"));
        center.post("late", nullptr);
    }
    ctx.run();
    CHECK(r.seen.empty());
    sub.reset(); // harmless without the center
}
