package io.tokenrouter.toro;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

/**
 * Handlers for the process's signals: the JDK's {@code sun.misc.Signal} (module {@code jdk.unsupported}),
 * the only way a Java program can tell SIGTERM from SIGHUP or ignore SIGINT. It is reached reflectively:
 * it is an internal API that every JDK still ships, and a JVM without it keeps the default handlers.
 */
final class Signals {

    private Signals() {
    }

    /** Calls {@code handler} with the signal's name ("INT", "TERM", …) when it arrives; false if it cannot. */
    static boolean handle(String name, Consumer<String> handler) {
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Constructor<?> signal = signalType.getConstructor(String.class);
            Method handle = signalType.getMethod("handle", signalType, handlerType);
            Object proxy = Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType},
                    (self, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            handler.accept(name);
                            yield null;
                        }
                        case "equals" -> self == args[0];
                        case "hashCode" -> System.identityHashCode(self);
                        default -> "toro's SIG" + name + " handler";
                    });
            handle.invoke(null, signal.newInstance(name), proxy);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
