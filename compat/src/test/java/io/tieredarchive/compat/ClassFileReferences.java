package io.tieredarchive.compat;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a compiled class refers to, read from its constant pool (JVMS §4.4): the classes it may load, the fields and
 * methods it may call, and every class named anywhere in it (descriptors and generic signatures included).
 *
 * @param className     the class, in internal form ({@code io/tieredarchive/segment/SegmentWriter})
 * @param loadedClasses the {@code CONSTANT_Class} entries: what the JVM may load on its behalf
 * @param namedClasses  every class named in the constant pool, in internal form
 * @param members       the {@code CONSTANT_Fieldref}, {@code Methodref} and {@code InterfaceMethodref} entries
 */
public record ClassFileReferences(String className, Set<String> loadedClasses, Set<String> namedClasses,
                                  Set<Member> members) {

    private static final Pattern CLASS_IN_DESCRIPTOR = Pattern.compile("L([\\w/$]+)[;<]");

    /** A field or method of {@code owner}; a method's descriptor starts with '('. */
    public record Member(String owner, String name, String descriptor) {
        @Override
        public String toString() {
            return owner + "." + name + (descriptor.startsWith("(") ? "" : ":") + descriptor;
        }
    }

    public static ClassFileReferences read(byte[] classFile) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IllegalArgumentException("not a class file");
            }
            in.readUnsignedShort(); // minor
            in.readUnsignedShort(); // major
            int count = in.readUnsignedShort();
            int[] tags = new int[count];
            String[] utf8 = new String[count];
            int[] first = new int[count];
            int[] second = new int[count];
            for (int i = 1; i < count; i++) {
                tags[i] = in.readUnsignedByte();
                switch (tags[i]) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++; // takes two entries
                    }
                    case 7, 8, 16, 19, 20 -> first[i] = in.readUnsignedShort();
                    case 9, 10, 11, 12, 17, 18 -> {
                        first[i] = in.readUnsignedShort();
                        second[i] = in.readUnsignedShort();
                    }
                    case 15 -> {
                        first[i] = in.readUnsignedByte();
                        second[i] = in.readUnsignedShort();
                    }
                    default -> throw new IllegalArgumentException("unknown constant pool tag " + tags[i]);
                }
            }
            in.readUnsignedShort(); // access flags
            String self = utf8[first[in.readUnsignedShort()]];
            Set<String> loaded = new TreeSet<>();
            Set<String> named = new TreeSet<>();
            Set<Member> members = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
            for (int i = 1; i < count; i++) {
                if (tags[i] == 7) {
                    String name = elementType(utf8[first[i]]);
                    if (name != null) {
                        loaded.add(name);
                        named.add(name);
                    }
                } else if (tags[i] == 1) {
                    Matcher m = CLASS_IN_DESCRIPTOR.matcher(utf8[i]);
                    while (m.find()) {
                        named.add(m.group(1));
                    }
                } else if (tags[i] == 9 || tags[i] == 10 || tags[i] == 11) {
                    String owner = elementType(utf8[first[first[i]]]);
                    int nameAndType = second[i];
                    members.add(new Member(owner, utf8[first[nameAndType]], utf8[second[nameAndType]]));
                }
            }
            return new ClassFileReferences(self, loaded, named, members);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The class an array descriptor holds ({@code [Lx/Y;} is {@code x/Y}), null for primitive arrays. */
    private static String elementType(String name) {
        if (!name.startsWith("[")) {
            return name;
        }
        String element = name.replaceFirst("^\\[+", "");
        return element.startsWith("L") ? element.substring(1, element.length() - 1) : null;
    }
}
