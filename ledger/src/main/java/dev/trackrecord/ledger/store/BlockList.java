package dev.trackrecord.ledger.store;

import java.util.Arrays;
import org.eclipse.serializer.persistence.types.Storer;

/**
 * A persisted append-only list kept in blocks of {@value #BLOCK} slots, so that a commit
 * re-stores the blocks it touched (and the directory only when a block was added) instead of
 * the whole list: storing a growing collection per append is what makes naive EclipseStore
 * logs slow.
 *
 * <p>Single writer: {@link #add} any number of elements, then {@link #flush} once per commit.
 * Readers may call {@link #get} for indexes below a size the writer has published through a
 * volatile write after its appends.
 */
final class BlockList<E> {
    static final int BLOCK_BITS = 8;
    static final int BLOCK = 1 << BLOCK_BITS;

    private Object[][] blocks = new Object[4][];
    private long size;
    /** Whether elements were added since the last flush, and the first of them. */
    private transient boolean dirty;
    private transient long dirtyFrom;
    private transient boolean directoryChanged;

    long size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    E get(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside [0, " + size + ")");
        }
        return (E) blocks[(int) (index >>> BLOCK_BITS)][(int) (index & (BLOCK - 1))];
    }

    void add(E element) {
        if (!dirty) {
            dirty = true;
            dirtyFrom = size;
        }
        int b = (int) (size >>> BLOCK_BITS);
        if (b == blocks.length) {
            blocks = Arrays.copyOf(blocks, blocks.length * 2);
            directoryChanged = true;
        }
        if (blocks[b] == null) {
            blocks[b] = new Object[BLOCK];
            directoryChanged = true;
        }
        blocks[b][(int) (size & (BLOCK - 1))] = element;
        size++;
    }

    /** Registers everything changed since the last flush with {@code storer}. */
    void flush(Storer storer) {
        if (!dirty) {
            return;
        }
        for (long b = dirtyFrom >>> BLOCK_BITS; b <= (size - 1) >>> BLOCK_BITS; b++) {
            storer.store(blocks[(int) b]);
        }
        if (directoryChanged) {
            storer.store(blocks);
        }
        storer.store(this);
        dirty = false;
        directoryChanged = false;
    }
}
