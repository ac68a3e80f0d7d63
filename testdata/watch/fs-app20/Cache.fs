// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Cache

type CacheItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "cache-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 18 + 16

let total (items: CacheItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: CacheItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Graph.scale x + 1
