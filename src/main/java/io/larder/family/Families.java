package io.larder.family;

import io.larder.command.CommandTable;
import io.larder.server.LarderServer;

/** The one place that lists every command family. */
public final class Families {
    private Families() {}

    public static void registerAll(LarderServer server, CommandTable t) {
        new ConnectionCommands(server).register(t);
        new StringCommands(server).register(t);
        new KeyCommands(server).register(t);
        new BitmapCommands(server).register(t);
        new HyperLogLogCommands(server).register(t);
        new HashCommands(server).register(t);
        new SetCommands(server).register(t);
        new ServerCommands(server).register(t);
        new ListCommands(server).register(t);
        new StreamCommands(server).register(t);
        new BlockingCommands(server).register(t);
        new ConfigCommands(server).register(t);
        new ClientCommands(server).register(t);
        new InfoCommand(server).register(t);
        new SlowLog(server).register(t);
        new DebugCommand(server).register(t);
        // Before pub/sub: Redis refuses writes after a failed save (MISCONF) before its pub/sub context check.
        new PersistenceCommands(server).register(t);
        new SortedSetCommands(server).register(t);
        new GeoCommands(server).register(t);
        new SortCommands(server).register(t);
        new TransactionCommands(server).register(t);
        new ScriptingCommands(server).register(t);
        new FunctionCommands(server).register(t);
        new PubSubCommands(server).register(t);
        new ClientTrackingCommands(server).register(t);
        // -LOADING comes after the pub/sub context check and before the replica checks, as in processCommand.
        PersistenceCommands.addLoadingCheck(server);
        new MonitorCommand(server).register(t);
        new MemoryCommands(server).register(t);
    }
}
