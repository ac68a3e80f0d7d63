// The emit-delta watch agent: a startup hook (DOTNET_STARTUP_HOOKS) that connects to the
// watcher over the Unix domain socket named by EMIT_DELTA_AGENT_SOCKET, says hello
// (protocol version, pid, runtime capabilities, loaded assemblies), then applies each
// update it receives with MetadataUpdater.ApplyUpdate and runs the app's
// MetadataUpdateHandlers. The wire format is docs/watch-protocol.md.
// It never writes to the app's stdout; errors go to stderr prefixed "emit-delta-agent:".

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Reflection;
using System.Reflection.Metadata;
using System.Text;
using System.Text.Json;
using System.Threading;

internal static class StartupHook
{
    private const int ProtocolVersion = 1;
    private const int MaxFrame = 64 * 1024 * 1024;
    private const byte KindHello = 1;
    private const byte KindUpdate = 2;
    private const byte KindResult = 3;

    private static Stream? stream;
    private static readonly object Gate = new object();
    private static readonly List<Update> Deferred = new List<Update>();

    private sealed class Update
    {
        public Guid Mvid;
        public int Generation;
        public int[] Types = Array.Empty<int>();
        public byte[] Metadata = Array.Empty<byte>();
        public byte[] IL = Array.Empty<byte>();
        public byte[] Pdb = Array.Empty<byte>();
    }

    public static void Initialize()
    {
        string? path = Environment.GetEnvironmentVariable("EMIT_DELTA_AGENT_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }
        // Child processes of the app must not connect to the watcher.
        Environment.SetEnvironmentVariable("EMIT_DELTA_AGENT_SOCKET", null);
        try
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            stream = new NetworkStream(socket, ownsSocket: true);
            SendHello();
            AppDomain.CurrentDomain.AssemblyLoad += OnAssemblyLoad;
            var thread = new Thread(Loop) { IsBackground = true, Name = "emit-delta agent" };
            thread.Start();
        }
        catch (Exception e)
        {
            Error("cannot connect to " + path + ": " + e.Message);
        }
    }

    private static void Error(string message)
    {
        try
        {
            Console.Error.WriteLine("emit-delta-agent: " + message);
        }
        catch
        {
        }
    }

    private static string Capabilities()
    {
        MethodInfo? m = typeof(MetadataUpdater).GetMethod(
            "GetCapabilities", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes);
        return m?.Invoke(null, null) as string ?? "";
    }

    private static void SendHello()
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("version", ProtocolVersion);
            w.WriteNumber("pid", Environment.ProcessId);
            w.WriteString("capabilities", Capabilities());
            w.WriteBoolean("supported", MetadataUpdater.IsSupported);
            w.WriteStartArray("assemblies");
            foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies())
            {
                w.WriteStartObject();
                w.WriteString("name", a.GetName().Name);
                w.WriteString("mvid", a.ManifestModule.ModuleVersionId.ToString());
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        Send(KindHello, buffer.ToArray());
    }

    private static void Send(byte kind, byte[] header)
    {
        // frame: u32 LE length of (kind + payload), kind, payload = u32 LE header length + header
        var frame = new byte[4 + 1 + 4 + header.Length];
        BitConverter.TryWriteBytes(new Span<byte>(frame, 0, 4), 1 + 4 + header.Length);
        frame[4] = kind;
        BitConverter.TryWriteBytes(new Span<byte>(frame, 5, 4), header.Length);
        Buffer.BlockCopy(header, 0, frame, 9, header.Length);
        lock (Gate)
        {
            stream!.Write(frame, 0, frame.Length);
            stream.Flush();
        }
    }

    private static void ReadExactly(byte[] buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream!.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                throw new EndOfStreamException("the watcher closed the connection");
            }
            read += n;
        }
    }

    private static void Loop()
    {
        var lengthBytes = new byte[4];
        while (true)
        {
            try
            {
                ReadExactly(lengthBytes);
            }
            catch (Exception)
            {
                return; // watcher gone: keep the app running, stop listening
            }
            int length = BitConverter.ToInt32(lengthBytes, 0);
            if (length < 5 || length > MaxFrame)
            {
                Error("message of " + (uint)length + " bytes is outside 5.." + MaxFrame + "; closing the connection");
                stream!.Dispose();
                return;
            }
            var frame = new byte[length];
            try
            {
                ReadExactly(frame);
            }
            catch (Exception)
            {
                return;
            }
            string? problem = null;
            Update? update = null;
            try
            {
                update = ParseUpdate(frame);
            }
            catch (Exception e)
            {
                problem = "malformed update: " + e.Message;
            }
            if (update is null)
            {
                Reply(false, problem ?? "malformed update", new List<string>(), 0, false);
                continue;
            }
            Handle(update);
        }
    }

    private static Update ParseUpdate(byte[] frame)
    {
        if (frame[0] != KindUpdate)
        {
            throw new InvalidDataException("message kind " + frame[0] + " is not an update (" + KindUpdate + ")");
        }
        if (frame.Length < 5)
        {
            throw new InvalidDataException("no header length");
        }
        int headerLength = BitConverter.ToInt32(frame, 1);
        if (headerLength < 0 || headerLength > frame.Length - 5)
        {
            throw new InvalidDataException("header length " + headerLength + " exceeds the message");
        }
        using JsonDocument doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(frame, 5, headerLength));
        JsonElement root = doc.RootElement;
        int version = root.GetProperty("version").GetInt32();
        if (version != ProtocolVersion)
        {
            throw new InvalidDataException("protocol version " + version + " is not " + ProtocolVersion);
        }
        var u = new Update
        {
            Mvid = Guid.Parse(root.GetProperty("mvid").GetString() ?? ""),
            Generation = root.GetProperty("generation").GetInt32(),
        };
        var types = new List<int>();
        foreach (JsonElement t in root.GetProperty("updated_types").EnumerateArray())
        {
            types.Add(t.GetInt32());
        }
        u.Types = types.ToArray();
        var sections = new List<int>();
        foreach (JsonElement s in root.GetProperty("sections").EnumerateArray())
        {
            sections.Add(s.GetInt32());
        }
        if (sections.Count != 3)
        {
            throw new InvalidDataException("expected 3 sections (dmeta, dil, dpdb), got " + sections.Count);
        }
        int offset = 5 + headerLength;
        var parts = new byte[3][];
        for (int i = 0; i < 3; i++)
        {
            if (sections[i] < 0 || sections[i] > frame.Length - offset)
            {
                throw new InvalidDataException("section " + i + " of " + sections[i] + " bytes exceeds the message");
            }
            parts[i] = new byte[sections[i]];
            Buffer.BlockCopy(frame, offset, parts[i], 0, sections[i]);
            offset += sections[i];
        }
        if (offset != frame.Length)
        {
            throw new InvalidDataException((frame.Length - offset) + " bytes after the last section");
        }
        u.Metadata = parts[0];
        u.IL = parts[1];
        u.Pdb = parts[2];
        return u;
    }

    private static Assembly? Find(Guid mvid)
    {
        foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!a.IsDynamic && a.ManifestModule.ModuleVersionId == mvid)
            {
                return a;
            }
        }
        return null;
    }

    private static void Handle(Update u)
    {
        var watch = Stopwatch.StartNew();
        var handlerErrors = new List<string>();
        Assembly? target;
        lock (Deferred)
        {
            target = Find(u.Mvid);
            if (target is null)
            {
                // Not loaded yet: applied when the assembly loads (OnAssemblyLoad).
                Deferred.Add(u);
                Reply(true, null, handlerErrors, watch.Elapsed.TotalMilliseconds, true);
                return;
            }
        }
        try
        {
            MetadataUpdater.ApplyUpdate(target, u.Metadata, u.IL, u.Pdb);
        }
        catch (Exception e)
        {
            Reply(false, e.GetType().FullName + ": " + e.Message, handlerErrors, watch.Elapsed.TotalMilliseconds, false);
            return;
        }
        RunHandlers(ResolveTypes(target, u.Types), handlerErrors);
        Reply(true, null, handlerErrors, watch.Elapsed.TotalMilliseconds, false);
    }

    private static void OnAssemblyLoad(object? sender, AssemblyLoadEventArgs args)
    {
        List<Update> ready;
        lock (Deferred)
        {
            Guid mvid = args.LoadedAssembly.ManifestModule.ModuleVersionId;
            ready = Deferred.FindAll(d => d.Mvid == mvid);
            Deferred.RemoveAll(d => d.Mvid == mvid);
        }
        foreach (Update u in ready)
        {
            try
            {
                MetadataUpdater.ApplyUpdate(args.LoadedAssembly, u.Metadata, u.IL, u.Pdb);
            }
            catch (Exception e)
            {
                Error("deferred update " + u.Generation + " of " + args.LoadedAssembly.GetName().Name + " failed: " + e.Message);
            }
        }
    }

    private static Type[]? ResolveTypes(Assembly assembly, int[] tokens)
    {
        var types = new List<Type>();
        foreach (int token in tokens)
        {
            try
            {
                types.Add(assembly.ManifestModule.ResolveType(token));
            }
            catch (Exception)
            {
                return null; // unknown: handlers are told anything may have changed
            }
        }
        return types.ToArray();
    }

    private static void RunHandlers(Type[]? types, List<string> errors)
    {
        var handlers = new List<Type>();
        foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies())
        {
            try
            {
                foreach (MetadataUpdateHandlerAttribute h in a.GetCustomAttributes<MetadataUpdateHandlerAttribute>())
                {
                    handlers.Add(h.HandlerType);
                }
            }
            catch (Exception)
            {
            }
        }
        foreach (string name in new[] { "ClearCache", "UpdateApplication" })
        {
            foreach (Type h in handlers)
            {
                MethodInfo? m = h.GetMethod(
                    name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, new[] { typeof(Type[]) });
                if (m is null)
                {
                    continue;
                }
                try
                {
                    m.Invoke(null, new object?[] { types });
                }
                catch (Exception e)
                {
                    Exception inner = e is TargetInvocationException t && t.InnerException is not null ? t.InnerException : e;
                    errors.Add(h.FullName + "." + name + ": " + inner.GetType().FullName + ": " + inner.Message);
                }
            }
        }
    }

    private static void Reply(bool ok, string? error, List<string> handlerErrors, double ms, bool deferred)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("version", ProtocolVersion);
            w.WriteBoolean("ok", ok);
            if (error is not null)
            {
                w.WriteString("error", error);
            }
            w.WriteBoolean("deferred", deferred);
            w.WriteNumber("apply_ms", ms);
            w.WriteStartArray("handler_errors");
            foreach (string e in handlerErrors)
            {
                w.WriteStringValue(e);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        try
        {
            Send(KindResult, buffer.ToArray());
        }
        catch (Exception e)
        {
            Error("cannot reply to the watcher: " + e.Message);
        }
    }
}
