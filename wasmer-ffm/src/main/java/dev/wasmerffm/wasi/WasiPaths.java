package dev.wasmerffm.wasi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A guest path resolved in Java against the host directory of a directory descriptor, as WASI runtimes resolve it:
 * relative only (an absolute path is NOTCAPABLE), never above the descriptor's directory ("..", symlinks included:
 * NOTCAPABLE), symlinks followed in every component but a last one looked up without following, and a symlink to
 * an absolute path never followed. libwasmer follows no symlink in a mapped directory (its symlinks live in its
 * memory, and it looks their targets up from its virtual root, where the mapped directories are not), so the layer
 * gives it the resolved, symlink-free path instead.
 *
 * <p>Only {@code lstat} and {@code readlink} of paths inside the mapped directory are made here; nothing is opened.
 */
final class WasiPaths {

    /** A type for nothing there. */
    private static final byte ABSENT = -1;

    /** As Linux's MAXSYMLINKS: more symlinks in one resolution is a loop. */
    private static final int MAX_SYMLINKS = 40;

    private WasiPaths() {}

    /**
     * Where a guest path leads: an errno, or the host path with its attributes (null when nothing is there) and the
     * components below the descriptor's directory.
     */
    record Resolved(
            int errno,
            Path host,
            WasiHostFiles.Stat stat,
            List<String> components,
            boolean trailingSlash,
            boolean followedSymlink) {

        boolean exists() {
            return stat != null;
        }

        boolean isDirectory() {
            return stat != null && stat.filetype() == WasiHostFiles.FILETYPE_DIRECTORY;
        }

        boolean isSymlink() {
            return stat != null && stat.filetype() == WasiHostFiles.FILETYPE_SYMBOLIC_LINK;
        }

        /** The path relative to the descriptor's directory, symlink-free, for libwasmer. */
        byte[] relative() {
            String s = components.isEmpty() ? "." : String.join("/", components) + (trailingSlash ? "/" : "");
            return s.getBytes(StandardCharsets.UTF_8);
        }
    }

    private static Resolved refused(int errno) {
        return new Resolved(errno, null, null, List.of(), false, false);
    }

    /**
     * Resolves {@code path} (the guest's bytes) below {@code dir}. A last component is followed when {@code follow}
     * or when a trailing slash asks for a directory.
     */
    static Resolved resolve(Path dir, byte[] path, boolean follow) {
        String s;
        try {
            s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(path))
                    .toString();
        } catch (CharacterCodingException e) {
            return refused(WasiErrno.ILSEQ);
        }
        if (s.isEmpty()) {
            return refused(WasiErrno.NOENT);
        }
        if (s.indexOf('\0') >= 0) {
            return refused(WasiErrno.INVAL);
        }
        if (s.startsWith("/")) {
            return refused(WasiErrno.NOTCAPABLE);
        }
        boolean trailingSlash = s.endsWith("/");
        ArrayDeque<String> todo = new ArrayDeque<>(components(s));
        List<String> done = new ArrayList<>();
        int symlinks = 0;
        WasiHostFiles.Stat stat = null; // of the last component in done, while it is the last one looked at
        boolean current = false;
        try {
            while (!todo.isEmpty()) {
                String c = todo.pollFirst();
                if (c.equals(".")) {
                    continue;
                }
                if (c.equals("..")) {
                    if (done.isEmpty()) {
                        return refused(WasiErrno.NOTCAPABLE);
                    }
                    done.removeLast();
                    current = false;
                    continue;
                }
                Path p = host(dir, done).resolve(c);
                boolean last = todo.isEmpty();
                // the last component's stat is kept for the caller; the others' type is enough (a cheaper lstat)
                WasiHostFiles.Stat a = last ? lstat(p) : null;
                byte type = last ? (a == null ? ABSENT : a.filetype()) : type(p);
                if (type == WasiHostFiles.FILETYPE_SYMBOLIC_LINK && (!last || follow || trailingSlash)) {
                    if (++symlinks > MAX_SYMLINKS) {
                        return refused(WasiErrno.LOOP);
                    }
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("/")) {
                        return refused(WasiErrno.NOTCAPABLE);
                    }
                    List<String> expanded = components(target);
                    for (int i = expanded.size() - 1; i >= 0; i--) {
                        todo.addFirst(expanded.get(i));
                    }
                    continue;
                }
                if (!last && type == ABSENT) {
                    return refused(WasiErrno.NOENT);
                }
                if (!last && type != WasiHostFiles.FILETYPE_DIRECTORY) {
                    return refused(WasiErrno.NOTDIR);
                }
                done.add(c);
                stat = a;
                current = true;
            }
            Path host = host(dir, done);
            return new Resolved(0, host, current ? stat : lstat(host), List.copyOf(done), trailingSlash, symlinks > 0);
        } catch (IOException e) {
            return refused(WasiErrno.of(e));
        }
    }

    /** What {@code p} itself is (a symlink is not followed): directory, symlink, or another file, or ABSENT. */
    private static byte type(Path p) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isDirectory()
                    ? WasiHostFiles.FILETYPE_DIRECTORY
                    : a.isSymbolicLink() ? WasiHostFiles.FILETYPE_SYMBOLIC_LINK : WasiHostFiles.FILETYPE_UNKNOWN;
        } catch (NoSuchFileException e) {
            return ABSENT;
        }
    }

    /** The stat of {@code p} itself (a symlink is not followed), or null when nothing is there. */
    private static WasiHostFiles.Stat lstat(Path p) throws IOException {
        try {
            return WasiHostFiles.stat(p);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Whether a symlink at {@code link} (below {@code root}) with {@code target} stays inside {@code root} when its
     * target is read from there: relative, and never more ".." than the link is deep.
     */
    static boolean staysInside(Path root, Path link, String target) {
        if (target.startsWith("/") || target.indexOf('\0') >= 0) {
            return false;
        }
        Path parent = link.getParent();
        int depth = parent == null || parent.equals(root)
                ? 0
                : root.relativize(parent).getNameCount();
        for (String c : components(target)) {
            if (c.equals("..")) {
                if (--depth < 0) {
                    return false;
                }
            } else if (!c.equals(".")) {
                depth++;
            }
        }
        return true;
    }

    private static Path host(Path dir, List<String> components) {
        Path p = dir;
        for (String c : components) {
            p = p.resolve(c);
        }
        return p;
    }

    private static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }
}
