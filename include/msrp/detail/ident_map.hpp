#pragma once
// A hash map keyed by MSRP idents (Message-IDs, transaction ids: at most 32
// octets, RFC 4975 §9), stored flat. A session looks its requests and
// messages up several times per message, and the assembler the Message-ID
// of every chunk; a node-based map pays an allocation per entry and a
// pointer chase per lookup, this one probes one array. Not part of the API.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace msrp::detail {

template <class V>
class ident_map {
public:
    /// Longest key (RFC 4975 §9: ident = 4 to 32 characters).
    static constexpr std::size_t max_key_bytes = 32;

    V* find(std::string_view key) noexcept {
        const std::size_t i = find_index(key);
        return i == npos ? nullptr : &slots_[i].value;
    }
    const V* find(std::string_view key) const noexcept {
        const std::size_t i = find_index(key);
        return i == npos ? nullptr : &slots_[i].value;
    }
    bool contains(std::string_view key) const noexcept { return find_index(key) != npos; }

    /// The value under `key`, inserted from `value` when absent; and
    /// whether it was inserted. A key longer than `max_key_bytes` is not
    /// stored: {nullptr, false}.
    std::pair<V*, bool> try_emplace(std::string_view key, V value) {
        if (key.size() > max_key_bytes)
            return {nullptr, false};
        if (V* existing = find(key))
            return {existing, false};
        return {insert_new(key, std::move(value)), true};
    }

    /// Stores `value` under `key`, replacing what was there. False for a key
    /// longer than `max_key_bytes`.
    bool insert_or_assign(std::string_view key, V value) {
        if (key.size() > max_key_bytes)
            return false;
        if (V* existing = find(key))
            *existing = std::move(value);
        else
            insert_new(key, std::move(value));
        return true;
    }

    /// Removes `key`; false when it was not there.
    bool erase(std::string_view key) noexcept {
        const std::size_t i = find_index(key);
        if (i == npos)
            return false;
        erase_index(i);
        return true;
    }

    /// Moves the value under `key` into `out` and removes the entry; false
    /// (and `out` untouched) when it was not there.
    bool take(std::string_view key, V& out) {
        const std::size_t i = find_index(key);
        if (i == npos)
            return false;
        out = std::move(slots_[i].value);
        erase_index(i);
        return true;
    }

    std::size_t size() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    void clear() noexcept {
        slots_.clear();
        count_ = 0;
    }

    /// Calls `f(key, value)` for every entry, in no particular order.
    template <class F>
    void for_each(F&& f) const {
        for (const auto& s : slots_)
            if (s.hash != 0)
                f(std::string_view(s.key, s.length), s.value);
    }

private:
    struct slot {
        std::uint64_t hash = 0; ///< 0: empty
        std::uint8_t length = 0;
        char key[max_key_bytes];
        V value{};

        bool matches(std::string_view k) const noexcept {
            return length == k.size() && std::memcmp(key, k.data(), k.size()) == 0;
        }
    };

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    /// Slots an emptied table keeps.
    static constexpr std::size_t kept_slots = 256;

    void erase_index(std::size_t i) noexcept {
        // Backward-shift deletion keeps every probe sequence unbroken
        // without tombstones.
        for (std::size_t j = (i + 1) & mask(); slots_[j].hash != 0; j = (j + 1) & mask()) {
            const std::size_t home = slots_[j].hash & mask();
            // Entry j may move to the hole at i when its home is not in (i, j].
            const bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                slots_[i] = std::move(slots_[j]);
                i = j;
            }
        }
        slots_[i] = slot{};
        --count_;
        // Emptied after a burst: the table goes rather than staying at its
        // peak size (small ones are kept, they would only grow again).
        if (count_ == 0 && slots_.size() > kept_slots)
            std::vector<slot>().swap(slots_);
    }

    std::size_t find_index(std::string_view key) const noexcept {
        if (count_ == 0 || key.size() > max_key_bytes)
            return npos;
        const std::uint64_t h = hash(key);
        for (std::size_t i = h & mask(); slots_[i].hash != 0; i = (i + 1) & mask())
            if (slots_[i].hash == h && slots_[i].matches(key))
                return i;
        return npos;
    }

    static std::uint64_t hash(std::string_view key) noexcept {
        // FNV-1a, then mixed so that the low bits (the index) depend on every
        // octet; never 0, which marks an empty slot.
        std::uint64_t h = 0xcbf29ce484222325ull;
        for (unsigned char c : key) {
            h ^= c;
            h *= 0x100000001b3ull;
        }
        h ^= h >> 29;
        h *= 0xbf58476d1ce4e5b9ull;
        h ^= h >> 32;
        return h | 1;
    }

    std::size_t mask() const noexcept { return slots_.size() - 1; }

    V* insert_new(std::string_view key, V value) {
        // At most half full: probe sequences stay short.
        if ((count_ + 1) * 2 > slots_.size())
            grow();
        const std::uint64_t h = hash(key);
        std::size_t i = h & mask();
        while (slots_[i].hash != 0)
            i = (i + 1) & mask();
        slot& s = slots_[i];
        s.hash = h;
        s.length = static_cast<std::uint8_t>(key.size());
        std::memcpy(s.key, key.data(), key.size());
        s.value = std::move(value);
        ++count_;
        return &s.value;
    }

    void grow() {
        std::vector<slot> old = std::move(slots_);
        slots_.clear();
        slots_.resize(old.empty() ? 16 : old.size() * 2);
        for (auto& s : old) {
            if (s.hash == 0)
                continue;
            std::size_t i = s.hash & mask();
            while (slots_[i].hash != 0)
                i = (i + 1) & mask();
            slots_[i] = std::move(s);
        }
    }

    std::vector<slot> slots_;
    std::size_t count_ = 0;
};

} // namespace msrp::detail
