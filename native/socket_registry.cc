#include "socket_registry.h"

namespace winsock {

std::uint64_t SocketRegistry::Add(SocketHandle* socket) {
  // At most half full, so a free slot is never far. The table does not shrink: at its largest it holds 16 bytes
  // for every two to four sockets that were open at once, about what the hash map's nodes and buckets held.
  if ((count_ + 1) * 2 > slots_.size()) Grow();
  do {
    ++last_id_;
  } while (slots_[last_id_ & mask_].socket != nullptr);
  slots_[last_id_ & mask_] = Slot{last_id_, socket};
  ++count_;
  return last_id_;
}

void SocketRegistry::Remove(std::uint64_t id) {
  Slot& slot = slots_[id & mask_];
  if (slot.id != id || slot.socket == nullptr) return;
  slot = Slot{};
  --count_;
}

std::vector<SocketHandle*> SocketRegistry::Snapshot() const {
  std::vector<SocketHandle*> sockets;
  sockets.reserve(count_);
  for (const Slot& slot : slots_) {
    if (slot.socket != nullptr) sockets.push_back(slot.socket);
  }
  return sockets;
}

void SocketRegistry::Grow() {
  std::vector<Slot> larger(slots_.size() * 2);
  const std::uint64_t larger_mask = larger.size() - 1;
  for (const Slot& slot : slots_) {
    if (slot.socket != nullptr) larger[slot.id & larger_mask] = slot;
  }
  slots_.swap(larger);
  mask_ = larger_mask;
}

}  // namespace winsock
