// The addon's open sockets by id: the names the promises API's try* calls give them (socketId()).
//
// An id is issued once and never again, so the id of a closed socket never names a socket opened later. Ids also
// index a table directly: a socket sits in slot `id & mask`, and an id names the socket in its slot only while that
// slot holds that id. Finding one is a mask, a load and a compare, where the hash map this replaces divided by its
// bucket count and walked a bucket's list on every call (FindSocketId: about 40 instructions a call of trySend or
// tryRecv, callgrind; bench/notes.md). Ids stay small integers (V8 Smis in JavaScript): the next id is the next
// integer whose slot is free, which at most half-full is the next or one of a few after it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace winsock {

class SocketHandle;

class SocketRegistry {
 public:
  SocketRegistry() : slots_(kInitialSlots) {}

  // Registers `socket` under a new id.
  std::uint64_t Add(SocketHandle* socket);
  void Remove(std::uint64_t id);
  // The open socket with this id, or nullptr. Id 0 is never issued: its slot holds id 0 only while empty.
  SocketHandle* Find(std::uint64_t id) const {
    const Slot& slot = slots_[id & mask_];
    return slot.id == id ? slot.socket : nullptr;
  }
  bool Empty() const { return count_ == 0; }
  // The sockets open now, in no particular order: for teardown, which closes them (and so changes the registry).
  std::vector<SocketHandle*> Snapshot() const;

 private:
  struct Slot {
    std::uint64_t id = 0;
    SocketHandle* socket = nullptr;  // nullptr: a free slot
  };
  static constexpr std::size_t kInitialSlots = 64;

  // Doubles the table. Two sockets in different slots stay in different slots: their ids differ in the bits of the
  // old mask, which the new one keeps.
  void Grow();

  std::vector<Slot> slots_;
  std::uint64_t mask_ = kInitialSlots - 1;
  std::size_t count_ = 0;
  std::uint64_t last_id_ = 0;
};

}  // namespace winsock
