module App.Program

open System
open System.ComponentModel
open System.Reflection

[<AttributeUsage(AttributeTargets.All, AllowMultiple = true)>]
type NoteAttribute(text: string) =
    inherit Attribute()
    member _.Text = text
    member val Level = 0 with get, set

[<Description("widget")>]
type Widget() =
    [<Note("size", Level = 1)>]
    member _.Size = 3

[<Note("helper", Level = 2); Description("doubles")>]
let helper ([<Note("w")>] width: int) = width * 2

let private describe (a: obj) =
    match a with
    | :? NoteAttribute as n -> sprintf "Note(%s,%d)" n.Text n.Level
    | :? DescriptionAttribute as d -> "Description(" + d.Description + ")"
    | _ -> a.GetType().Name

let private notes (p: ICustomAttributeProvider) =
    p.GetCustomAttributes(false) |> Array.map describe |> Array.filter (fun s -> not (s.StartsWith "Compilation")) |> Array.sort |> String.concat "+"

let Run () : string =
    let m = Type.GetType("App.Program, App").GetMethod("helper")
    let w = typeof<Widget>
    "helper[" + notes m + "] width[" + notes (m.GetParameters().[0]) + "] type[" + notes w + "] size[" + notes (w.GetProperty "Size") + "] " + string (helper 4)
