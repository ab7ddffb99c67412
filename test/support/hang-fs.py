#!/usr/bin/python3
"""
A read-only FUSE passthrough of BACKING at MOUNTPOINT that stops answering while FLAG exists:
every request (lookup, getattr, readdir, open, read, statfs, ...) then blocks until the flag is
removed, as a network share does when its server goes away. Used by test/faults/hung-mount.test.ts.

    /usr/bin/python3 hang-fs.py BACKING MOUNTPOINT FLAG

Needs Debian's python3-fusepy (and so libfuse2) and /dev/fuse; run as root. Prints "ready" once
mounted (stdout), runs in the foreground until unmounted or killed.
"""
import errno
import os
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations  # Debian names the module fusepy


class HangFS(Operations):
    def __init__(self, backing, flag):
        self.backing = os.path.realpath(backing)
        self.flag = flag

    def _wait(self):
        while os.path.exists(self.flag):
            time.sleep(0.05)

    def _full(self, path):
        return os.path.join(self.backing, path.lstrip('/'))

    def __call__(self, op, *args):
        if op not in ('init', 'destroy'):
            self._wait()
        return super().__call__(op, *args)

    def access(self, path, mode):
        if not os.access(self._full(path), mode):
            raise FuseOSError(errno.EACCES)

    def getattr(self, path, fh=None):
        try:
            st = os.lstat(self._full(path))
        except OSError as e:
            raise FuseOSError(e.errno)
        return {key: getattr(st, key) for key in (
            'st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid')}

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self._full(path))

    def readlink(self, path):
        return os.readlink(self._full(path))

    def statfs(self, path):
        st = os.statvfs(self._full(path))
        return {key: getattr(st, key) for key in (
            'f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag',
            'f_frsize', 'f_namemax')}

    def open(self, path, flags):
        if flags & (os.O_WRONLY | os.O_RDWR):
            raise FuseOSError(errno.EROFS)
        return os.open(self._full(path), flags)

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def release(self, path, fh):
        os.close(fh)
        return 0


def die_with_parent():
    # If the test runner dies without cleaning up, take the filesystem down too: the kernel then
    # fails every request still blocked on it, so nothing stays stuck.
    try:
        import ctypes
        import signal
        ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def main():
    backing, mountpoint, flag = sys.argv[1:4]
    die_with_parent()

    def announce():
        # FUSE() blocks while mounted; say "ready" once the mount shows up.
        for _ in range(200):
            if os.path.ismount(mountpoint):
                print('ready', flush=True)
                return
            time.sleep(0.025)
        print('not mounted after 5 s', flush=True)

    threading.Thread(target=announce, daemon=True).start()
    FUSE(HangFS(backing, flag), mountpoint, foreground=True, nothreads=False, ro=True,
         fsname='hangfs', attr_timeout=0, entry_timeout=0, negative_timeout=0)


if __name__ == '__main__':
    main()
