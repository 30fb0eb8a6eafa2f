package io.tokenrouter.config;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The application's own threads, named {@code tokenrouter-<kind>-<n>} and daemons so a dump tells them apart.
 * On a full Jakarta EE server they come from the container's default managed thread factory (Jakarta
 * Concurrency, {@value #MANAGED_THREAD_FACTORY}), so the server knows and manages them and they carry the
 * application's context; on Tomcat, which has none, they are plain threads.
 */
public final class DaemonThreads {

    static final String MANAGED_THREAD_FACTORY = "java:comp/DefaultManagedThreadFactory";
    private static final Logger LOG = Logger.getLogger(DaemonThreads.class.getName());

    /** Looked up once, from the first caller (a deployment or request thread, which sees java:comp). */
    private static volatile ThreadFactory container;
    private static volatile boolean looked;

    private DaemonThreads() {
    }

    public static ThreadFactory named(String kind) {
        ThreadFactory base = containerFactory();
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = base == null ? new Thread(r) : base.newThread(r);
            t.setName("tokenrouter-" + kind + "-" + count.incrementAndGet());
            if (!t.isDaemon()) {
                t.setDaemon(true);
            }
            return t;
        };
    }

    /** Who creates the application's threads: "the container's managed thread factory" or "the application". */
    public static String owner() {
        return containerFactory() == null ? "the application" : "the container's managed thread factory";
    }

    private static ThreadFactory containerFactory() {
        if (!looked) {
            synchronized (DaemonThreads.class) {
                if (!looked) {
                    container = lookUp();
                    looked = true;
                }
            }
        }
        return container;
    }

    private static ThreadFactory lookUp() {
        try {
            Object found = new InitialContext().lookup(MANAGED_THREAD_FACTORY);
            if (found instanceof ThreadFactory factory) {
                LOG.info("Threads come from the container's managed thread factory " + MANAGED_THREAD_FACTORY);
                return factory;
            }
        } catch (NamingException | RuntimeException e) {
            LOG.fine("No managed thread factory at " + MANAGED_THREAD_FACTORY + ": " + e);
        }
        return null;
    }
}
