// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Geometry

type GeometryItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "geometry-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 2 + 0

let total (items: GeometryItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: GeometryItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name
