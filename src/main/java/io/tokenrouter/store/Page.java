package io.tokenrouter.store;

import java.util.List;

/** One page of a list and the size of the whole list. */
public record Page<T>(List<T> items, long total) {

    /** The same page with each item mapped. */
    public <R> Page<R> map(java.util.function.Function<? super T, ? extends R> mapper) {
        return new Page<>(items.stream().<R>map(mapper).toList(), total);
    }
}
