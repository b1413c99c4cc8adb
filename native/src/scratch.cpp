#include "scratch.h"

#include <cstdlib>
#include <new>
#include <vector>

namespace norm4j {

namespace {

constexpr size_t kAlign = 64;
constexpr size_t kFirstBlock = size_t{64} << 10;
// A thread whose blocks add up to more than this frees them when its outermost frame ends,
// rather than keep the memory of one unusually large call for the thread's lifetime.
constexpr size_t kKeepAtMost = size_t{64} << 20;

struct Block {
    char *data;
    size_t size;
};

// The blocks of one thread, used in order: a frame takes from the current block at `offset`
// and moves on to the next block, or a new one, when the request does not fit.
struct Arena {
    std::vector<Block> blocks;
    size_t block = 0, offset = 0;
    int depth = 0;

    ~Arena() { release(); }

    size_t total() const {
        size_t t = 0;
        for (const Block &b : blocks) t += b.size;
        return t;
    }

    void release() {
        for (const Block &b : blocks) std::free(b.data);
        blocks.clear();
    }

    void *take(size_t bytes) {
        bytes = (bytes + kAlign - 1) / kAlign * kAlign;
        while (block < blocks.size() && offset + bytes > blocks[block].size) {
            ++block;
            offset = 0;
        }
        if (block == blocks.size()) {
            const size_t size = std::max({bytes, kFirstBlock, 2 * total()});
            void *data = std::aligned_alloc(kAlign, size);
            if (data == nullptr) throw std::bad_alloc();
            blocks.push_back(Block{static_cast<char *>(data), size});
            offset = 0;
        }
        void *p = blocks[block].data + offset;
        offset += bytes;
        return p;
    }

    // Called when the outermost frame ends: with the arena empty, several blocks become one of
    // their total size (so the next call of the same shape fits in one), or none if too large.
    void compact() {
        if (blocks.size() <= 1 && total() <= kKeepAtMost) return;
        const size_t size = total();
        release();
        if (size > kKeepAtMost) return;
        void *data = std::aligned_alloc(kAlign, size);
        if (data != nullptr) blocks.push_back(Block{static_cast<char *>(data), size});
    }
};

Arena &arena() {
    thread_local Arena a;
    return a;
}

}  // namespace

ScratchFrame::ScratchFrame() {
    Arena &a = arena();
    block_ = a.block;
    offset_ = a.offset;
    ++a.depth;
}

ScratchFrame::~ScratchFrame() {
    Arena &a = arena();
    a.block = block_;
    a.offset = offset_;
    if (--a.depth == 0) a.compact();
}

void *ScratchFrame::take(size_t bytes) { return arena().take(bytes); }

}  // namespace norm4j
