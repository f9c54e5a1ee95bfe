// Heap.swift: the shared heap (bh_shared_malloc and friends), in the shared region, usable from every
// process. Blocks of 16 << class bytes (class >= 1), each with a 16-byte header: class (Int32), magic
// (UInt32), and the free-list link. Free blocks sit on one list per class; a miss splits a larger free block
// in halves, or takes fresh space from the top. Payloads are 16-byte aligned. One lock, a process-shared
// robust mutex in the control block (a process that dies holding it does not wedge the others).
// Before bh_runtime_start, and for pointers that did not come from this heap, the C library's malloc
// family is used.

import CBulkheadRuntime
import Glibc

@inline(__always) private var headerSize: Int { 16 }

@inline(__always) private func sizeClass(_ bytes: Int) -> Int32 {
    let bits = Int.bitWidth - (bytes &- 1).leadingZeroBitCount  // 1 << bits >= bytes
    return Int32(bits > 5 ? bits - 4 : 1)
}

@inline(__always) private func inHeap(_ p: UnsafeMutableRawPointer) -> Bool {
    let rt = bh_rt_ptr()
    let a = UInt(bitPattern: p)
    let lo = UInt(bitPattern: rt.pointee.heap)
    return rt.pointee.started != 0 && a >= lo && a < lo &+ UInt(rt.pointee.heap_size)
}

/// The head of the free list of class `cls`, if it is a block of this heap. The lists live in shared memory,
/// where any compartment can aim them at a process's private memory (malloc would hand it out): a head
/// outside the heap's private bounds drops the whole list, with a report (its blocks are lost, not reused).
private func freeHead(_ cls: Int32) -> UnsafeMutableRawPointer? {
    let list = bh_heap_free_list(cls)
    guard let b = list.pointee else { return nil }
    let rt = bh_rt_ptr()
    let a = UInt(bitPattern: b), lo = UInt(bitPattern: rt.pointee.heap)
    let size = UInt(16) << UInt(cls)
    if a < lo || a & 15 != 0 || a - lo > UInt(rt.pointee.heap_size) || size > UInt(rt.pointee.heap_size) - (a - lo) {
        list.pointee = nil
        bh_report_heap_corrupted(Int(size))
        return nil
    }
    return b
}

/// A block of class `cls`, with the heap locked; nil when the heap is full. `fresh`: it comes from space
/// never handed out before, still zero as the shared memory file was created.
private func takeBlock(_ cls: Int32, fresh: inout Bool) -> UnsafeMutableRawPointer? {
    let list = bh_heap_free_list(cls)
    if let b = freeHead(cls) {
        list.pointee = bh_blk_next(b)
        return b
    }
    var c = cls + 1
    while c < 64 {
        let l = bh_heap_free_list(c)
        if let b = freeHead(c) {
            l.pointee = bh_blk_next(b)
            while c > cls {  // keep the lower half, free the upper half, one class down each time
                c -= 1
                let upper = b + (16 << Int(c))
                bh_blk_set(upper, c, BH_HEAP_FREED)
                let ul = bh_heap_free_list(c)
                bh_blk_set_next(upper, ul.pointee)
                ul.pointee = upper
            }
            return b
        }
        c += 1
    }
    fresh = true
    return bh_heap_bump(16 << Int(cls))
}

@_cdecl("bh_shared_malloc")
public func bhSharedMalloc(_ size: Int) -> UnsafeMutableRawPointer? {
    var fresh = false
    return allocate(size, fresh: &fresh)
}

/// A payload of `size` bytes from the shared heap (or, before the runtime starts, from malloc).
private func allocate(_ size: Int, fresh: inout Bool) -> UnsafeMutableRawPointer? {
    let rt = bh_rt_ptr()
    if rt.pointee.started == 0 { return malloc(size) }
    if size < 0 || size > rt.pointee.heap_size {
        bh_set_errno(ENOMEM)
        return nil
    }
    let cls = sizeClass(size + headerSize)
    if bh_heap_lock() != 0 {
        bh_set_errno(ENOMEM)
        return nil
    }
    let block = takeBlock(cls, fresh: &fresh)
    bh_heap_unlock()
    guard let b = block else {
        bh_set_errno(ENOMEM)
        return nil
    }
    bh_blk_set(b, cls, BH_HEAP_MAGIC)
    bh_blk_set_next(b, nil)
    return b + headerSize
}

@_cdecl("bh_shared_calloc")
public func bhSharedCalloc(_ n: Int, _ size: Int) -> UnsafeMutableRawPointer? {
    let (total, overflow) = n.multipliedReportingOverflow(by: size)
    if overflow || total < 0 {
        bh_set_errno(ENOMEM)
        return nil
    }
    var fresh = false
    guard let p = allocate(total, fresh: &fresh) else { return nil }
    if !fresh { memset(p, 0, total) }  // fresh space is zero already: no need to touch its pages
    return p
}

/// The header of a block this heap handed out; reports and aborts on anything else.
private func header(of p: UnsafeMutableRawPointer, _ what: StaticString) -> UnsafeMutableRawPointer {
    let b = p - headerSize
    let magic = bh_blk_magic(b)
    let cls = bh_blk_class(b)
    if magic != BH_HEAP_MAGIC || cls < 1 || cls >= 64 {
        bh_report_fatal(cs(what))
        abort()
    }
    return b
}

@_cdecl("bh_shared_free")
public func bhSharedFree(_ p: UnsafeMutableRawPointer?) {
    guard let p = p else { return }
    if !inHeap(p) {
        free(p)
        return
    }
    let b = header(of: p, "bh_shared_free: not a block of the shared heap (or freed twice)")
    let cls = bh_blk_class(b)
    bh_blk_set(b, cls, BH_HEAP_FREED)
    if bh_heap_lock() != 0 { return }
    let list = bh_heap_free_list(cls)
    bh_blk_set_next(b, list.pointee)
    list.pointee = b
    bh_heap_unlock()
}

@_cdecl("bh_shared_realloc")
public func bhSharedRealloc(_ p: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
    guard let p = p else { return bhSharedMalloc(size) }
    if !inHeap(p) { return realloc(p, size) }
    if size == 0 {
        bhSharedFree(p)
        return nil
    }
    let b = header(of: p, "bh_shared_realloc: not a block of the shared heap (or freed)")
    // the class is shared memory too: no more than what is left of the heap after p is copied
    let rest = Int(bitPattern: UInt(bitPattern: bh_rt_ptr().pointee.heap) &+ UInt(bh_rt_ptr().pointee.heap_size) &- UInt(bitPattern: p))
    let capacity = min((16 << Int(bh_blk_class(b))) - headerSize, rest)
    if size <= capacity { return p }
    guard let q = bhSharedMalloc(size) else { return nil }
    memcpy(q, p, capacity)
    bhSharedFree(p)
    return q
}
