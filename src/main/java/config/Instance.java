package config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This instance, as the logs, the console and /metrics name it among several running the same settings. */
public final class Instance {

    /** host:pid: a pod's name (its host name) and the process, so a restarted instance is told from the one before. */
    public static final String ID = host() + ":" + ProcessHandle.current().pid();

    private Instance() {
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
