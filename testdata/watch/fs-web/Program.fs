// Sample for `emit-delta watch`: an ASP.NET Core minimal API. GET / answers with the
// computed value and the process id; edit `message`, save, and the next request shows it.
// Run with `-- --urls http://127.0.0.1:PORT`.
module FsWeb.Program

open System
open Microsoft.AspNetCore.Builder

let message () =
    sprintf "value: %d pid: %d" (6 * 7) Environment.ProcessId

[<EntryPoint>]
let main args =
    let app = WebApplication.CreateBuilder(args).Build()
    app.MapGet("/", Func<string>(fun () -> message ())) |> ignore
    app.Run()
    0
