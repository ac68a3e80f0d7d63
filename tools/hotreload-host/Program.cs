// HotReloadHost: loads a Debug build of an assembly, calls a static entry
// method, then applies hot-reload deltas (GEN_PREFIX.dmeta / .dil / .dpdb)
// one generation at a time with MetadataUpdater.ApplyUpdate, forces the JIT
// over every method of the assembly, and calls the entry method again after
// each one. With no GEN_PREFIX it is a fresh run of the build it loads.
//
// Usage:
//   HotReloadHost <path/to/App.dll> <Namespace.Type::Method> [--probe DIR]... [--call T::M] [GEN_PREFIX]...
//
// --call Namespace.Type::Method also invokes that static method (public or not, every
// parameter its type's default) after each generation and prints `call N: <result>`,
// `call N: error <Type>: <Message>` (what it threw; not a failure; ` [Code C]` after it
// when the exception has an int field `Code`, as HotReloadException has) or
// `call N: missing` (no such method), e.g. to see what a deleted method does. Before
// each call it sets the static `Created` hook of the assembly's
// System.Runtime.CompilerServices.HotReloadException, when it has one, to print
// `created N: <Type> [Code C]` for each instance the constructor makes.
//
// Exit codes: 0 success, 1 usage / setup error, 2 DOTNET_MODIFIABLE_ASSEMBLIES
// is not "debug", 3 an ApplyUpdate or a call threw.

using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Reflection.Metadata;
using System.Runtime.Loader;
using System.Text;

namespace HotReloadHost;

internal static class Program
{
    private static readonly TextWriter Out = Console.Out;

    private static int Main(string[] args)
    {
        string? modifiable = Environment.GetEnvironmentVariable("DOTNET_MODIFIABLE_ASSEMBLIES");
        if (!string.Equals(modifiable, "debug", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine(
                "HotReloadHost: DOTNET_MODIFIABLE_ASSEMBLIES must be set to 'debug' " +
                "(it is " + (modifiable is null ? "unset" : "'" + modifiable + "'") + "); refusing to run.");
            return 2;
        }

        string? assemblyPath = null;
        string? entry = null;
        var probeDirs = new List<string>();
        var genPrefixes = new List<string>();
        string? alsoCall = null;

        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--probe")
            {
                if (i + 1 >= args.Length)
                {
                    return Usage("--probe needs a directory");
                }
                probeDirs.Add(Path.GetFullPath(args[++i]));
            }
            else if (a == "--call")
            {
                if (i + 1 >= args.Length)
                {
                    return Usage("--call needs Namespace.Type::Method");
                }
                alsoCall = args[++i];
            }
            else if (assemblyPath is null)
            {
                assemblyPath = a;
            }
            else if (entry is null)
            {
                entry = a;
            }
            else
            {
                genPrefixes.Add(a);
            }
        }

        if (assemblyPath is null || entry is null)
        {
            return Usage("missing arguments");
        }

        int sep = entry.IndexOf("::", StringComparison.Ordinal);
        if (sep <= 0 || sep + 2 >= entry.Length)
        {
            return Usage("entry must look like Namespace.Type::Method, got '" + entry + "'");
        }
        string typeName = entry.Substring(0, sep);
        string methodName = entry.Substring(sep + 2);

        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            if (name.Name is null)
            {
                return null;
            }
            foreach (string dir in probeDirs)
            {
                string candidate = Path.Combine(dir, name.Name + ".dll");
                if (File.Exists(candidate))
                {
                    return context.LoadFromAssemblyPath(candidate);
                }
            }
            return null;
        };

        Assembly assembly;
        try
        {
            assembly = Assembly.LoadFrom(Path.GetFullPath(assemblyPath));
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("HotReloadHost: cannot load " + assemblyPath + ": " + e.GetType().FullName + ": " + e.Message);
            return 1;
        }

        Line("supported: " + MetadataUpdater.IsSupported);
        Line("capabilities: " + GetCapabilities());

        Type? type = assembly.GetType(typeName, throwOnError: false);
        if (type is null)
        {
            Console.Error.WriteLine("HotReloadHost: type '" + typeName + "' not found in " + assembly.FullName);
            return 1;
        }
        MethodInfo? method = type.GetMethod(
            methodName,
            BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static,
            binder: null,
            types: Type.EmptyTypes,
            modifiers: null);
        if (method is null)
        {
            Console.Error.WriteLine("HotReloadHost: static method '" + methodName + "()' not found on " + type.FullName);
            return 1;
        }

        if (!Call(method, 0))
        {
            return 3;
        }
        CallAlso(assembly, alsoCall, 0);

        for (int i = 0; i < genPrefixes.Count; i++)
        {
            int gen = i + 1;
            string prefix = genPrefixes[i];
            try
            {
                byte[] dmeta = File.ReadAllBytes(prefix + ".dmeta");
                byte[] dil = File.ReadAllBytes(prefix + ".dil");
                string dpdbPath = prefix + ".dpdb";
                byte[] dpdb = File.Exists(dpdbPath) ? File.ReadAllBytes(dpdbPath) : Array.Empty<byte>();
                MetadataUpdater.ApplyUpdate(assembly, dmeta, dil, dpdb);
                InvokeUpdateHandlers();
                PrepareAll(assembly);
            }
            catch (Exception e)
            {
                Line("gen " + gen + ": error " + Describe(e));
                return 3;
            }

            if (!Call(method, gen))
            {
                return 3;
            }
            CallAlso(assembly, alsoCall, gen);
        }

        return 0;
    }

    // What a hot-reload agent does after an update: every MetadataUpdateHandler of the
    // loaded assemblies (the runtime's own clears the reflection caches, so added members
    // become visible), ClearCache first, then UpdateApplication, told nothing specific.
    private static void InvokeUpdateHandlers()
    {
        var handlers = new List<Type>();
        foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies())
        {
            foreach (MetadataUpdateHandlerAttribute h in a.GetCustomAttributes<MetadataUpdateHandlerAttribute>())
            {
                handlers.Add(h.HandlerType);
            }
        }
        const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
        foreach (string phase in new[] { "ClearCache", "UpdateApplication" })
        {
            foreach (Type handler in handlers)
            {
                handler.GetMethod(phase, flags, binder: null, types: new[] { typeof(Type[]) }, modifiers: null)
                    ?.Invoke(null, new object?[] { null });
            }
        }
    }

    // Forces the JIT over every method body of the assembly after an update, so a bad
    // token in a method the entry does not call still fails here, as an error line.
    private static void PrepareAll(Assembly assembly)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static |
                                 BindingFlags.Instance | BindingFlags.DeclaredOnly;
        foreach (Type type in assembly.GetTypes())
        {
            if (type.ContainsGenericParameters)
            {
                continue;
            }
            var methods = new List<MethodBase>(type.GetMethods(all));
            methods.AddRange(type.GetConstructors(all));
            foreach (MethodBase m in methods)
            {
                if (m.IsAbstract || m.ContainsGenericParameters || m.GetMethodBody() is null)
                {
                    continue;
                }
                System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(m.MethodHandle);
            }
        }
    }

    private static bool Call(MethodInfo method, int gen)
    {
        try
        {
            object? result = method.Invoke(null, null);
            string text = result is null ? "" : result.ToString() ?? "";
            Line("gen " + gen + ": " + Escape(text));
            return true;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            Line("gen " + gen + ": error " + Describe(e.InnerException));
            return false;
        }
        catch (Exception e)
        {
            Line("gen " + gen + ": error " + Describe(e));
            return false;
        }
    }

    private static void CallAlso(Assembly assembly, string? target, int gen)
    {
        if (target is null)
        {
            return;
        }
        int sep = target.IndexOf("::", StringComparison.Ordinal);
        Type? type = sep > 0 ? assembly.GetType(target.Substring(0, sep), throwOnError: false) : null;
        const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
        MethodInfo? m = type?.GetMethod(target.Substring(sep + 2), flags);
        if (m is null)
        {
            Line("call " + gen + ": missing");
            return;
        }
        SetCreatedHook(assembly, gen);
        object?[] arguments = Array.ConvertAll(m.GetParameters(),
            p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null);
        try
        {
            object? result = m.Invoke(null, arguments);
            Line("call " + gen + ": " + Escape(result?.ToString() ?? ""));
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            Line("call " + gen + ": error " + Describe(e.InnerException));
        }
    }

    private static string Describe(Exception e) =>
        e.GetType().FullName + ": " + Escape(e.Message) + CodeOf(e);

    // ` [Code C]` for an exception with a public int field `Code` (HotReloadException).
    private static string CodeOf(Exception e) =>
        e.GetType().GetField("Code", BindingFlags.Public | BindingFlags.Instance) is { FieldType: var t } f && t == typeof(int)
            ? " [Code " + f.GetValue(e) + "]"
            : "";

    // What a hot reload agent does: listen to every HotReloadException made.
    private static void SetCreatedHook(Assembly assembly, int gen)
    {
        Type? type = assembly.GetType("System.Runtime.CompilerServices.HotReloadException", throwOnError: false);
        FieldInfo? hook = type?.GetField("Created", BindingFlags.NonPublic | BindingFlags.Static);
        if (hook is not null && hook.FieldType == typeof(Action<Exception>))
        {
            hook.SetValue(null, new Action<Exception>(e => Line("created " + gen + ": " + e.GetType().FullName + CodeOf(e))));
        }
    }

    private static string GetCapabilities()
    {
        try
        {
            MethodInfo? m = typeof(MetadataUpdater).GetMethod(
                "GetCapabilities",
                BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static,
                binder: null,
                types: Type.EmptyTypes,
                modifiers: null);
            if (m?.Invoke(null, null) is string s)
            {
                return s;
            }
        }
        catch (Exception)
        {
            // fall through
        }
        return "unknown";
    }

    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    private static void Line(string s)
    {
        Out.WriteLine(s);
        Out.Flush();
    }

    private static int Usage(string why)
    {
        Console.Error.WriteLine("HotReloadHost: " + why);
        Console.Error.WriteLine("usage: HotReloadHost <path/to/App.dll> <Namespace.Type::Method> [--probe DIR]... [--call T::M] [GEN_PREFIX]...");
        return 1;
    }
}
