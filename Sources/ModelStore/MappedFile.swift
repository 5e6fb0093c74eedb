#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ServeCore

/// Memory-maps files read-only: the 98 MB model maps instantly and pages in on demand, and several
/// engines in one process share the same physical pages.
public enum MappedFile {
    public static func map(path: String) throws(ModelStoreError) -> ReadOnlyBytes {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            if errno == ENOENT { throw .fileMissing(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notAFile(path: path) }
        let size = Int(info.st_size)
        if size == 0 { return ReadOnlyBytes(copying: [UInt8]()) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw .unreadable(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        return ReadOnlyBytes(unsafeBuffer: UnsafeRawBufferPointer(start: base, count: size)) { buffer in
            if let start = buffer.baseAddress { munmap(UnsafeMutableRawPointer(mutating: start), buffer.count) }
        }
    }
}
